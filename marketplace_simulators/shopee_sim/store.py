"""The simulator's state in SQLite: partners, shops, codes and tokens, items and models, orders, shipped
packages and their airway bills, released escrows and the shops' wallets."""
import json
import sqlite3
import threading
from contextlib import contextmanager

SCHEMA = """
CREATE TABLE IF NOT EXISTS partners (partner_id INTEGER PRIMARY KEY, partner_key TEXT NOT NULL, push_key TEXT);
CREATE TABLE IF NOT EXISTS shops (shop_id INTEGER PRIMARY KEY, name TEXT NOT NULL, region TEXT NOT NULL,
    currency TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS auth_codes (code TEXT PRIMARY KEY, partner_id INTEGER, shop_id INTEGER,
    expires_at REAL, used INTEGER NOT NULL DEFAULT 0, main_account_id INTEGER);
CREATE TABLE IF NOT EXISTS main_account_shops (main_account_id INTEGER, shop_id INTEGER,
    PRIMARY KEY (main_account_id, shop_id));
CREATE TABLE IF NOT EXISTS main_account_tokens (access_token TEXT, refresh_token TEXT, shop_id INTEGER,
    expires_at REAL, refresh_expires_at REAL, refreshed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (refresh_token, shop_id));
CREATE TABLE IF NOT EXISTS access_tokens (token TEXT PRIMARY KEY, shop_id INTEGER, expires_at REAL);
CREATE TABLE IF NOT EXISTS refresh_tokens (token TEXT PRIMARY KEY, shop_id INTEGER, expires_at REAL,
    used INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS models (shop_id INTEGER, item_id INTEGER, model_id INTEGER, sku TEXT, name TEXT,
    stock INTEGER NOT NULL, price REAL NOT NULL, PRIMARY KEY (shop_id, item_id, model_id));
CREATE TABLE IF NOT EXISTS fail_models (item_id INTEGER, model_id INTEGER, reason TEXT,
    PRIMARY KEY (item_id, model_id));
CREATE TABLE IF NOT EXISTS orders (order_sn TEXT PRIMARY KEY, shop_id INTEGER, create_time INTEGER,
    update_time INTEGER, status TEXT, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS orders_by_update ON orders(shop_id, update_time);
CREATE TABLE IF NOT EXISTS shipped_packages (order_sn TEXT, package_number TEXT, method TEXT, body TEXT,
    tracking_number TEXT, polls_left INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (order_sn, package_number));
CREATE TABLE IF NOT EXISTS shipping_documents (order_sn TEXT, package_number TEXT, document_type TEXT,
    polls_left INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (order_sn, package_number));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS returns (return_sn TEXT PRIMARY KEY, shop_id INTEGER, order_sn TEXT, create_time INTEGER,
    update_time INTEGER, status TEXT, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS escrows (order_sn TEXT PRIMARY KEY, shop_id INTEGER, release_time INTEGER,
    data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS wallet (transaction_id INTEGER PRIMARY KEY AUTOINCREMENT, shop_id INTEGER,
    create_time INTEGER, data TEXT NOT NULL);
"""


class Store:
    """One SQLite file; a process-wide lock serialises writers (the simulator is small and threaded)."""

    def __init__(self, path):
        self.path = path
        self.lock = threading.RLock()
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(SCHEMA)
        self._upgrade()

    def _upgrade(self):
        """A state file made before the push key and main accounts existed gets their columns."""
        for table, column, kind in (("partners", "push_key", "TEXT"), ("auth_codes", "main_account_id", "INTEGER")):
            columns = {row["name"] for row in self._conn.execute(f"PRAGMA table_info({table})")}
            if column not in columns:
                self._conn.execute(f"ALTER TABLE {table} ADD COLUMN {column} {kind}")

    @contextmanager
    def transaction(self):
        with self.lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    def close(self):
        self._conn.close()


def order_json(row):
    return json.loads(row["data"])
