"""Where every platform's client keeps its OAuth tokens: encrypted on the record the platform authorizes (an
account for eBay, each shop for Shopee: ``marketplace.secret.mixin``).

Every job of a record may find its access token expiring at once, and some platforms spend a refresh token on use
(Shopee returns a new one). A refresh therefore happens in a short transaction of its own that holds the record's
row (``SELECT ... FOR UPDATE``) and reads the stored tokens again: the first job refreshes, the others wait and
then find the new tokens. The new tokens are committed with that transaction, so a job that later fails and rolls
back does not lose them (losing a spent refresh token means authorizing again; eBay counts refresh grants).

A platform's ``TokenSet`` is a dataclass whose first four fields are: the access token, its expiry, the refresh
token, its expiry (epoch seconds); the store makes one with those four values.
"""
import dataclasses
from contextlib import contextmanager
from datetime import datetime, timezone

import psycopg2

from odoo.tools import SQL

# a transaction waiting for the row of a record whose tokens were just stored cannot serialize (REPEATABLE READ):
# it starts again, and then sees those tokens
LOCK_ATTEMPTS = 3


def _to_epoch(naive_utc):
    return naive_utc.replace(tzinfo=timezone.utc).timestamp() if naive_utc else None


def _from_epoch(epoch):
    return datetime.fromtimestamp(epoch, tz=timezone.utc).replace(tzinfo=None) if epoch else False


def token_parts(tokens):
    """(access token, its expiry, refresh token, its expiry) of a platform's TokenSet: its first four fields."""
    return tuple(getattr(tokens, field.name) for field in dataclasses.fields(tokens)[:4])


def store_token_set(record, tokens):
    """Keep ``tokens`` (a platform's TokenSet) on ``record`` in the current transaction (e.g. right after a
    consent); a set without a refresh token keeps the stored one."""
    access, expires_at, refresh, refresh_expires_at = token_parts(tokens)
    record._store_tokens(access, _from_epoch(expires_at), refresh, _from_epoch(refresh_expires_at))


class RecordTokenStore:
    """The ``TokenStore`` of every platform's client (``load``, ``reload``, ``locked``, ``save``) backed by a
    ``marketplace.secret.mixin`` record. ``token_class``: the platform's TokenSet; ``refresh_required``: the
    platform cannot work without a refresh token (nothing is loaded without one)."""

    def __init__(self, record, token_class, refresh_required=False):
        self.model, self.record_id = record._name, record.id
        self.env = record.env
        self.token_class = token_class
        self.refresh_required = refresh_required
        self._tokens = None
        self._locked_env = None

    def load(self):
        if self._tokens is None:
            self._tokens = self._read(self.env)
        return self._tokens

    def reload(self):
        """The tokens as committed now (the caller's transaction may predate another job's refresh)."""
        with self.env.registry.cursor() as cr:
            self._tokens = self._read(self.env(cr=cr))
        return self._tokens

    @contextmanager
    def locked(self):
        """The stored tokens, read in a transaction holding the record's row; what ``save`` writes in it is
        committed when the block ends (rolled back if it raises)."""
        with self.env.registry.cursor() as cr:
            self._lock_row(cr)
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
        store_token_set(self._locked_env[self.model].sudo().browse(self.record_id), tokens)

    def _lock_row(self, cr):
        query = SQL("SELECT id FROM %s WHERE id = %s FOR UPDATE", SQL.identifier(self.env[self.model]._table),
                    self.record_id)
        for attempt in range(1, LOCK_ATTEMPTS + 1):
            try:
                cr.execute(query, log_exceptions=False)
                return
            except psycopg2.errors.SerializationFailure:
                if attempt == LOCK_ATTEMPTS:
                    raise
                cr.rollback()

    def _read(self, env):
        record = env[self.model].sudo().browse(self.record_id)
        access, refresh = record._get_secret("access_token"), record._get_secret("refresh_token")
        if not access or (self.refresh_required and not refresh):
            return None
        return self.token_class(access, _to_epoch(record.access_token_expires_at) or 0.0, refresh or None,
                                _to_epoch(record.refresh_token_expires_at))
