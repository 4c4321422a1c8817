"""SQLite persistence: schema, a small connection pool and a serialised write transaction.

State lives in one SQLite file (WAL mode) so a restarted simulator sees what the previous one left. Reads run
concurrently on pooled connections; writes take one process-wide lock plus ``BEGIN IMMEDIATE`` so concurrent
requests never hit "database is locked".
"""
import json
import queue
import sqlite3
import threading
from contextlib import contextmanager

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS apps (client_id TEXT PRIMARY KEY, client_secret TEXT NOT NULL,
    ru_name TEXT NOT NULL UNIQUE, accept_url TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS auth_codes (code TEXT PRIMARY KEY, client_id TEXT, ru_name TEXT, scope TEXT,
    expires_at REAL, used INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS access_tokens (token TEXT PRIMARY KEY, client_id TEXT, kind TEXT, scope TEXT,
    expires_at REAL);
CREATE TABLE IF NOT EXISTS refresh_tokens (token TEXT PRIMARY KEY, client_id TEXT, scope TEXT, expires_at REAL);
CREATE TABLE IF NOT EXISTS inventory_items (seq INTEGER PRIMARY KEY AUTOINCREMENT, sku TEXT NOT NULL UNIQUE,
    quantity INTEGER NOT NULL, locale TEXT, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS offers (offer_id TEXT PRIMARY KEY, sku TEXT NOT NULL, marketplace_id TEXT,
    format TEXT, status TEXT NOT NULL, listing_id TEXT, listing_status TEXT, available_quantity INTEGER,
    sold_quantity INTEGER NOT NULL DEFAULT 0, price TEXT, currency TEXT, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS offers_by_sku ON offers(sku);
CREATE INDEX IF NOT EXISTS offers_by_status ON offers(status);
CREATE TABLE IF NOT EXISTS hub_listings (listing_id TEXT PRIMARY KEY, sku TEXT, format TEXT NOT NULL,
    price TEXT NOT NULL, currency TEXT NOT NULL, quantity INTEGER NOT NULL, has_policies INTEGER NOT NULL,
    migrated INTEGER NOT NULL DEFAULT 0, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS orders (order_id TEXT PRIMARY KEY, creation_date TEXT NOT NULL,
    last_modified TEXT NOT NULL, fulfillment_status TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS orders_by_creation ON orders(creation_date);
CREATE INDEX IF NOT EXISTS orders_by_modified ON orders(last_modified);
CREATE TABLE IF NOT EXISTS fulfillments (fulfillment_id TEXT PRIMARY KEY, order_id TEXT NOT NULL,
    data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS fulfillments_by_order ON fulfillments(order_id);
CREATE TABLE IF NOT EXISTS feed_tasks (task_id TEXT PRIMARY KEY, feed_type TEXT, schema_version TEXT,
    creation_date TEXT, completion_date TEXT, polls INTEGER NOT NULL DEFAULT 0, report BLOB);
CREATE TABLE IF NOT EXISTS signing_keys (kid TEXT PRIMARY KEY, private_pem TEXT NOT NULL,
    public_pem TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS policies (policy_id TEXT PRIMARY KEY, kind TEXT NOT NULL, marketplace_id TEXT NOT NULL,
    name TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS locations (location_key TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS item_groups (group_key TEXT PRIMARY KEY, data TEXT NOT NULL, listing_id TEXT);
CREATE TABLE IF NOT EXISTS images (image_id TEXT PRIMARY KEY, url TEXT NOT NULL, expires TEXT NOT NULL,
    sha1 TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cancellations (cancel_id TEXT PRIMARY KEY, order_id TEXT NOT NULL,
    creation_date TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS cancellations_by_order ON cancellations(order_id);
CREATE INDEX IF NOT EXISTS cancellations_by_creation ON cancellations(creation_date);
CREATE TABLE IF NOT EXISTS payment_disputes (dispute_id TEXT PRIMARY KEY, order_id TEXT NOT NULL,
    open_date TEXT NOT NULL, status TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS payment_disputes_by_open_date ON payment_disputes(open_date);
CREATE TABLE IF NOT EXISTS evidence_files (file_id TEXT PRIMARY KEY, dispute_id TEXT NOT NULL, name TEXT NOT NULL,
    file_type TEXT NOT NULL, uploaded TEXT NOT NULL, content BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS returns (return_id TEXT PRIMARY KEY, order_id TEXT NOT NULL,
    creation_date TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS returns_by_order ON returns(order_id);
CREATE INDEX IF NOT EXISTS returns_by_creation ON returns(creation_date);
CREATE TABLE IF NOT EXISTS inquiries (inquiry_id TEXT PRIMARY KEY, creation_date TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cases (case_id TEXT PRIMARY KEY, creation_date TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS fail_skus (sku TEXT PRIMARY KEY, error_id INTEGER, message TEXT);
CREATE TABLE IF NOT EXISTS api_signing_keys (signing_key_id TEXT PRIMARY KEY, cipher TEXT NOT NULL,
    public_der TEXT NOT NULL, jwe TEXT NOT NULL UNIQUE, created INTEGER NOT NULL, expires INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS finance_transactions (seq INTEGER PRIMARY KEY, transaction_id TEXT NOT NULL UNIQUE,
    transaction_date TEXT NOT NULL, transaction_type TEXT NOT NULL, transaction_status TEXT NOT NULL, order_id TEXT,
    booking_entry TEXT NOT NULL, amount_cents INTEGER NOT NULL, payout_id TEXT, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS finance_transactions_by_date ON finance_transactions(transaction_date);
CREATE TABLE IF NOT EXISTS payouts (seq INTEGER PRIMARY KEY, payout_id TEXT NOT NULL UNIQUE, payout_date TEXT NOT NULL,
    payout_status TEXT NOT NULL, data TEXT NOT NULL);
"""


class Db:
    """One pooled connection, with helpers that keep handler code free of cursor plumbing."""

    def __init__(self, conn, write_lock):
        self.conn = conn
        self._write_lock = write_lock

    def one(self, sql, args=()):
        """First row or ``None``."""
        return self.conn.execute(sql, args).fetchone()

    def all(self, sql, args=()):
        """Every row."""
        return self.conn.execute(sql, args).fetchall()

    def scalar(self, sql, args=()):
        """First column of the first row (``None`` when no row)."""
        row = self.one(sql, args)
        return None if row is None else row[0]

    def execute(self, sql, args=()):
        """Run a statement; call inside ``transaction()`` for writes."""
        return self.conn.execute(sql, args)

    def executemany(self, sql, rows):
        """Bulk insert/update (seeding); call inside ``transaction()``."""
        return self.conn.executemany(sql, rows)

    @contextmanager
    def transaction(self):
        """Serialised write transaction: all-or-nothing, never "database is locked"."""
        with self._write_lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def meta(self, key, default=None):
        """A value from the key/value ``meta`` table (JSON-decoded)."""
        value = self.scalar("SELECT value FROM meta WHERE key=?", (key,))
        return default if value is None else json.loads(value)

    def set_meta(self, key, value):
        """Store a JSON value in ``meta`` (inside a transaction)."""
        self.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, json.dumps(value)))

    def next_counter(self, name, count=1, start=1):
        """Reserve ``count`` consecutive numbers of a persistent counter; ids stay unique across restarts."""
        first = self.meta("counter:" + name, start)
        self.set_meta("counter:" + name, first + count)
        return first


class Store:
    """The SQLite file: creates the schema once and lends connections to request threads."""

    def __init__(self, path):
        self.path = str(path)
        self._pool = queue.SimpleQueue()
        self._write_lock = threading.Lock()
        self._all = []
        self._all_lock = threading.Lock()
        with self.connection() as db:
            db.conn.executescript(SCHEMA)

    def _open(self):
        conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False, timeout=30)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=30000")
        with self._all_lock:
            self._all.append(conn)
        return conn

    @contextmanager
    def connection(self):
        """Borrow a connection for one request; it goes back to the pool afterwards."""
        try:
            conn = self._pool.get_nowait()
        except queue.Empty:
            conn = self._open()
        try:
            yield Db(conn, self._write_lock)
        finally:
            self._pool.put(conn)

    def close(self):
        """Close every connection (the server is stopping)."""
        with self._all_lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._pool = queue.SimpleQueue()
