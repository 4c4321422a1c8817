"""What one run of a scenario costs: eBay calls, wall time, rows written, peak memory, SQL queries.

- API calls: the simulator's own counters (``/_sim/calls``), reset before each run.
- Rows written: inserted + updated + deleted rows of every table of the database (``pg_stat_user_tables``),
  so queue and log rows count too (``rows_by_table`` in the JSON: per table, most first). PostgreSQL publishes a
  backend's counters when it ends or sits idle, so the Odoo connection pool is closed before reading them.
- Peak memory: growth of the measured process's resident set (Linux ``VmHWM``, reset through
  ``/proc/<pid>/clear_refs`` at the start of the run), not tracemalloc: tracemalloc slows Python code 2-3x
  and would distort the wall times this benchmark is about.
- SQL queries: Odoo's process-wide query counter ``odoo.sql_db.sql_counter`` (in-process runs only).
"""
import re
import time
from dataclasses import asdict, dataclass, field

import psycopg2

TABLE_ROWS_SQL = "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables"


@dataclass
class Result:
    scenario: str
    variant: str
    calls: int | None = None
    call_detail: dict = field(default_factory=dict)
    seconds: float | None = None
    rows_written: int | None = None
    rows_by_table: dict = field(default_factory=dict)   # the tables written, most rows first
    peak_rss_mb: float | None = None
    sql_queries: int | None = None
    units: int | None = None          # orders, bindings, notifications handled
    extra: dict = field(default_factory=dict)
    note: str = ""

    def as_dict(self):
        return asdict(self)


def _status_kb(pid, key):
    with open(f"/proc/{pid}/status") as status:
        return int(re.search(rf"^{key}:\s+(\d+) kB", status.read(), re.M).group(1))


class PeakRss:
    """Peak resident-set growth of process ``pid`` between ``start()`` and ``stop()``, in MB."""

    def __init__(self, pid="self"):
        self.pid = pid
        self.base_kb = 0

    def start(self):
        with open(f"/proc/{self.pid}/clear_refs", "w") as clear_refs:
            clear_refs.write("5")          # resets VmHWM to the current RSS (Linux >= 4.0)
        self.base_kb = _status_kb(self.pid, "VmRSS")

    def stop(self):
        return round(max(0, _status_kb(self.pid, "VmHWM") - self.base_kb) / 1024, 1)


def rows_written_so_far(dsn):
    """Rows written in the database since the statistics were last reset, as PostgreSQL knows them now."""
    return sum(rows_by_table_so_far(dsn).values())


def rows_by_table_so_far(dsn):
    """{table: rows written} since the statistics were last reset, as PostgreSQL knows them now."""
    connection = psycopg2.connect(dsn)
    try:
        connection.autocommit = True
        with connection.cursor() as cr:
            cr.execute("SELECT pg_stat_clear_snapshot()")
            cr.execute(TABLE_ROWS_SQL)
            return {table: int(rows) for table, rows in cr.fetchall()}
    finally:
        connection.close()


def rows_written_between(before, after):
    """{table: rows} written between two ``rows_by_table_so_far`` readings, most first, tables unwritten left out."""
    written = {table: rows - before.get(table, 0) for table, rows in after.items()}
    return dict(sorted(((table, rows) for table, rows in written.items() if rows), key=lambda item: -item[1]))


class Measure:
    """Context manager filling a Result; ``bench`` gives the simulator, the database and the Odoo pool."""

    def __init__(self, bench, result, pid="self"):
        self.bench = bench
        self.result = result
        self.rss = PeakRss(pid)

    def __enter__(self):
        import odoo.sql_db
        self.bench.flush_pg_stats()
        self.rows_before = rows_by_table_so_far(self.bench.dsn)
        self.bench.sim.reset_calls()
        self.sql_before = odoo.sql_db.sql_counter
        self.rss.start()
        self.started = time.perf_counter()
        return self.result

    def __exit__(self, exc_type, exc, tb):
        import odoo.sql_db
        if exc_type is not None:
            return False
        result = self.result
        result.seconds = round(time.perf_counter() - self.started, 2)
        result.peak_rss_mb = self.rss.stop()
        if result.sql_queries is None and self.rss.pid == "self":
            result.sql_queries = odoo.sql_db.sql_counter - self.sql_before
        calls = self.bench.sim.calls()
        result.calls = calls["total"]
        result.call_detail = calls["calls"]
        self.bench.flush_pg_stats()
        result.rows_by_table = rows_written_between(self.rows_before, rows_by_table_so_far(self.bench.dsn))
        result.rows_written = sum(result.rows_by_table.values())
        return False
