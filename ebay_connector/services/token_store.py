"""Where the eBay client keeps an account's tokens: encrypted on the account.

A refreshed token is saved in its own short transaction, so a job that later fails
and rolls back does not throw the new token away (eBay counts refresh grants).
"""
from ..ebay_api.tokens import TokenSet
from ..sync_core.times import to_epoch


class AccountTokenStore:
    """``TokenStore`` of ``ebay_api`` backed by a ``marketplace.account`` record."""

    def __init__(self, account):
        self.account_id = account.id
        self.env = account.env
        self._tokens = None

    def load(self):
        if self._tokens is None:
            account = self.env["marketplace.account"].sudo().browse(self.account_id)
            access = account._get_secret("access_token")
            if not access:
                return None
            self._tokens = TokenSet(
                access_token=access,
                expires_at=to_epoch(account.access_token_expires_at) or 0.0,
                refresh_token=account._get_secret("refresh_token") or None,
                refresh_token_expires_at=to_epoch(account.refresh_token_expires_at),
            )
        return self._tokens

    def save(self, tokens):
        self._tokens = tokens
        with self.env.registry.cursor() as cr:
            # keep the environment referenced until the commit: the cursor flushes only live environments
            env = self.env(cr=cr)
            env["marketplace.account"].sudo().browse(self.account_id)._ebay_store_tokenset(tokens)
