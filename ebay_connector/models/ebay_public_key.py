import json
import time
from datetime import datetime, timezone

from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.marketplace_base.job_run import bookkeeping_env
from odoo.addons.marketplace_base.marketplace_core.rate_budget import window_start

from ..ebay_api.public_keys import FETCH_WINDOW_SECONDS, SharedKeys, StoredKey


class EbayPublicKey(models.Model):
    """A key eBay signs notifications with, as getPublicKey gave it: shared by every worker of the database, so
    that one fetch serves them all and a key known good (a verified notification used it) stays known to each
    (``ebay_api/public_keys.py``). Public keys only: nothing secret is stored here."""

    _name = "ebay.public.key"
    _description = "eBay Notification Public Key"
    _order = "fetched_at desc"
    _log_access = False

    source = fields.Char(required=True, readonly=True, help="The eBay API the key came from (environment or URL).")
    key_id = fields.Char(required=True, readonly=True)
    body = fields.Json(readonly=True, help="getPublicKey's answer.")
    fetched_at = fields.Datetime(required=True, readonly=True)
    verified_at = fields.Datetime(string="First Verified Notification", readonly=True)

    _sql_constraints = [("key_uniq", "unique(source, key_id)", "One row per eBay key.")]


class DatabaseKeys(SharedKeys):
    """The SharedKeys of one eBay account in PostgreSQL: keys in ``ebay.public.key``, the fetch cap in
    ``marketplace.api.usage`` (one fixed minute per claim kind, ``ebay:<account>:key_fetch`` and
    ``ebay:<account>:key_refresh``), each touched in a short transaction of its own, committed at once so
    every worker sees it. Reached only when this process's cache holds no fresh key."""

    def __init__(self, env, account, source, fetches_per_minute):
        self.env = env
        self.account_id = account.id
        self.source = source
        self.fetches_per_minute = fetches_per_minute

    def load(self, kid):
        with bookkeeping_env(self.env) as env:
            row = env["ebay.public.key"].search_fetch(
                [("source", "=", self.source), ("key_id", "=", kid)], ["body", "fetched_at", "verified_at"], limit=1)
            if not row or not row.body:
                return None
            return StoredKey(row.body, row.fetched_at.replace(tzinfo=timezone.utc).timestamp(),
                             bool(row.verified_at))

    def save(self, kid, body, fetched_at):
        with bookkeeping_env(self.env) as env:
            env.cr.execute(SQL("""
                INSERT INTO ebay_public_key (source, key_id, body, fetched_at) VALUES (%s, %s, %s::jsonb, %s)
                ON CONFLICT (source, key_id) DO UPDATE SET body = EXCLUDED.body, fetched_at = EXCLUDED.fetched_at""",
                self.source, kid, json.dumps(body), _naive_utc(fetched_at)))

    def forget(self, kid):
        with bookkeeping_env(self.env) as env:
            env.cr.execute(SQL("DELETE FROM ebay_public_key WHERE source = %s AND key_id = %s", self.source, kid))

    def mark_good(self, kid):
        with bookkeeping_env(self.env) as env:
            env.cr.execute(SQL("UPDATE ebay_public_key SET verified_at = now() AT TIME ZONE 'UTC' "
                               "WHERE source = %s AND key_id = %s AND verified_at IS NULL", self.source, kid))

    def claim(self, priority):
        key = "ebay:%s:%s" % (self.account_id, "key_refresh" if priority else "key_fetch")
        start = window_start(_epoch_now(), FETCH_WINDOW_SECONDS)
        with bookkeeping_env(self.env) as env:
            return env["marketplace.api.usage"]._take_one(key, self.fetches_per_minute, FETCH_WINDOW_SECONDS, start)


def _epoch_now():
    return time.time()


def _naive_utc(epoch):
    return datetime.fromtimestamp(epoch, timezone.utc).replace(tzinfo=None)
