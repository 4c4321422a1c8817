"""Where the Shopee client keeps a shop's tokens: encrypted on the shop.

Shopee spends a refresh token on use and returns a new one, and every job of a shop may find its access token
expiring at once. A refresh happens in a short transaction of its own that holds the shop's row
(``SELECT ... FOR UPDATE``) and reads the stored pair again: the first job refreshes, the others wait and then
find the new pair. The new pair is committed with that transaction, so a job that later fails and rolls back
does not lose it (losing it would mean authorizing the shop again).
"""
from contextlib import contextmanager

import psycopg2

from odoo.tools import SQL

from ..shopee_api import TokenSet
from ..shopee_api.mappers import from_epoch, to_epoch

# a transaction waiting for the row of a shop whose pair was just stored cannot serialize (REPEATABLE READ):
# it starts again, and then sees that pair
LOCK_ATTEMPTS = 3


class ShopTokenStore:
    """``TokenStore`` of ``shopee_api`` (see ``MemoryTokenStore``) backed by a ``marketplace.shop`` record."""

    def __init__(self, shop):
        self.shop_id = shop.id
        self.env = shop.env
        self._tokens = None
        self._locked_env = None

    def load(self):
        if self._tokens is None:
            self._tokens = self._read(self.env)
        return self._tokens

    def reload(self):
        """The pair as committed now (the caller's transaction may predate another job's refresh)."""
        with self.env.registry.cursor() as cr:
            self._tokens = self._read(self.env(cr=cr))
        return self._tokens

    @contextmanager
    def locked(self):
        """The stored pair, read in a transaction holding the shop's row; what ``save`` writes in it is
        committed when the block ends (rolled back if it raises)."""
        with self.env.registry.cursor() as cr:
            self._lock_shop_row(cr)
            env = self.env(cr=cr)  # kept referenced until the commit: the cursor flushes only live environments
            self._locked_env = env
            try:
                self._tokens = self._read(env)
                yield self._tokens
            finally:
                self._locked_env = None

    def save(self, tokens):
        if self._locked_env is None:
            with self.locked():
                self._write(tokens)
        else:
            self._write(tokens)

    def _write(self, tokens):
        self._tokens = tokens
        self._locked_env["marketplace.shop"].sudo().browse(self.shop_id)._store_tokens(
            tokens.access_token, from_epoch(tokens.expires_at), tokens.refresh_token,
            from_epoch(tokens.refresh_expires_at))

    def _lock_shop_row(self, cr):
        query = SQL("SELECT id FROM marketplace_shop WHERE id = %s FOR UPDATE", self.shop_id)
        for attempt in range(1, LOCK_ATTEMPTS + 1):
            try:
                cr.execute(query, log_exceptions=False)
                return
            except psycopg2.errors.SerializationFailure:
                if attempt == LOCK_ATTEMPTS:
                    raise
                cr.rollback()

    def _read(self, env):
        shop = env["marketplace.shop"].sudo().browse(self.shop_id)
        access, refresh = shop._get_secret("access_token"), shop._get_secret("refresh_token")
        if not access or not refresh:
            return None
        return TokenSet(access, to_epoch(shop.access_token_expires_at) or 0.0, refresh,
                        to_epoch(shop.refresh_token_expires_at))
