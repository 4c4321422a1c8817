import logging
import os
import threading

import psycopg2

import odoo.sql_db
from odoo import fields, models
from odoo.tools import SQL

from odoo.addons.base.models.ir_cron import ODOO_NOTIFY_FUNCTION

_logger = logging.getLogger(__name__)


class _CronWaker:
    """One autocommit connection to the ``postgres`` database per process, where Odoo's cron workers listen.

    Odoo's ``_notifydb`` opens a connection there for every wake-up (its pool keeps none to ``postgres``):
    a PostgreSQL backend started and ended for each trigger, the largest cost of a webhook's ack. The same
    NOTIFY is sent over a connection kept open instead; a broken one is opened again once."""

    def __init__(self):
        self._lock = threading.Lock()
        self._connection = None
        self._pid = None

    def notify(self, dbname):
        query = SQL("SELECT %s('cron_trigger', %s)", SQL.identifier(ODOO_NOTIFY_FUNCTION), dbname)
        with self._lock:
            for attempt in (1, 2):
                try:
                    with self._cursor() as cr:
                        cr.execute(query.code, query.params)
                    return
                except psycopg2.Error:
                    self._close()
                    if attempt == 2:
                        raise

    def _cursor(self):
        if self._connection is None or self._connection.closed or self._pid != os.getpid():
            _db, info = odoo.sql_db.connection_info_for("postgres")
            self._connection = psycopg2.connect(**info)
            self._connection.autocommit = True
            self._pid = os.getpid()  # a forked worker opens its own
        return self._connection.cursor()

    def _close(self):
        if self._connection is not None and self._pid == os.getpid():
            try:
                self._connection.close()
            except psycopg2.Error:
                _logger.debug("closing a broken cron wake-up connection", exc_info=True)
        self._connection = None


_WAKER = _CronWaker()


class IrCron(models.Model):
    """Runner crons of the marketplace job lanes know their lane (made and sized by the lane itself)."""

    _inherit = "ir.cron"

    marketplace_channel_id = fields.Many2one("marketplace.job.channel", string="Marketplace Lane",
                                             ondelete="cascade", index="btree_not_null")

    def _notifydb(self):
        """Wake the cron workers as Odoo does, over this process's kept connection (``_CronWaker``)."""
        _WAKER.notify(self.env.cr.dbname)
