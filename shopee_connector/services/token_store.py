"""Where the Shopee client keeps a shop's tokens: encrypted on the shop.

Shopee spends a refresh token on use and returns a new one: the new pair is saved in its own
short transaction at once, so a job that later fails and rolls back does not lose it (losing it
would mean authorizing the shop again)."""
from ..shopee_api import TokenSet
from ..shopee_api.mappers import from_epoch, to_epoch


class ShopTokenStore:
    """``TokenStore`` of ``shopee_api`` backed by a ``marketplace.shop`` record."""

    def __init__(self, shop):
        self.shop_id = shop.id
        self.env = shop.env
        self._tokens = None

    def load(self):
        if self._tokens is None:
            shop = self.env["marketplace.shop"].sudo().browse(self.shop_id)
            access, refresh = shop._get_secret("access_token"), shop._get_secret("refresh_token")
            if not access or not refresh:
                return None
            self._tokens = TokenSet(access, to_epoch(shop.access_token_expires_at) or 0.0, refresh,
                                    to_epoch(shop.refresh_token_expires_at))
        return self._tokens

    def save(self, tokens):
        self._tokens = tokens
        with self.env.registry.cursor() as cr:
            # keep the environment referenced until the commit: the cursor flushes only live environments
            env = self.env(cr=cr)
            env["marketplace.shop"].sudo().browse(self.shop_id)._store_tokens(
                tokens.access_token, from_epoch(tokens.expires_at), tokens.refresh_token,
                from_epoch(tokens.refresh_expires_at))
