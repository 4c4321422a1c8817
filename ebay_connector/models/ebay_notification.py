import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..ebay_api.errors import SignatureError
from ..ebay_api.notification import NotificationAdapter
from ..ebay_api.public_keys import FETCHES_PER_MINUTE, PublicKeyCache
from ..ebay_api.signature import SignatureVerifier, parse_signature_header
from ..sync_core.orders import ACCOUNT_DELETION_TOPIC, parse_notification
from .ebay_public_key import DatabaseKeys

_logger = logging.getLogger(__name__)

KEY_FETCHES_PARAM = "ebay_connector.webhook_key_fetches_per_minute"
# Per process, in front of the keys all workers share (see docs/architecture.md):
# (database, account id, API base URL) -> PublicKeyCache
_KEY_CACHES = {}
# What the webhook reads of the accounts sharing its endpoint (routing, key source) in the query that finds them
# (and what its job reads of the account: platform, company)
WEBHOOK_ACCOUNT_FIELDS = ["ebay_endpoint_url", "state", "ebay_api_base_url", "environment", "platform", "company_id"]


class EbayNotification(models.Model):
    """A notification eBay posted to the webhook, stored before any work so none is lost.

    The webhook only verifies and stores; the ``process_notification`` job does the work,
    so eBay gets its answer fast and a failure is retried by the queue.
    """

    _name = "ebay.notification"
    _description = "eBay Notification"
    _order = "received_at desc, id desc"
    _rec_name = "notification_id"

    # What eBay sent
    notification_id = fields.Char(required=True, readonly=True, index=True)
    topic = fields.Char(required=True, readonly=True, index=True)
    payload = fields.Text(readonly=True, help="The notification body as eBay signed it.")
    event_date = fields.Datetime(readonly=True)
    received_at = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    account_id = fields.Many2one("marketplace.account", readonly=True, index=True, ondelete="cascade")
    external_order_id = fields.Char(string="eBay Order ID", readonly=True, index="btree_not_null",
                                    help="ORDER_CONFIRMATION: the order to import.")
    buyer_username = fields.Char(readonly=True, index="btree_not_null",
                                 help="MARKETPLACE_ACCOUNT_DELETION: the eBay user whose data is erased.")

    # Processing
    state = fields.Selection(
        [("received", "Received"), ("processed", "Processed"), ("failed", "Failed"), ("ignored", "Ignored")],
        default="received", required=True, index=True, readonly=True, copy=False,
    )
    job_id = fields.Many2one("marketplace.job", readonly=True, copy=False, ondelete="set null")
    processed_at = fields.Datetime(readonly=True, copy=False)
    error_message = fields.Text(readonly=True, copy=False)

    _sql_constraints = [
        ("notification_id_uniq", "UNIQUE(notification_id)", "This eBay notification is already stored."),
    ]

    # -- receiving -----------------------------------------------------------
    @api.model
    def _ebay_webhook_accounts(self, url):
        """The eBay accounts whose notification endpoint is ``url`` (exactly as registered), else those with an
        endpoint on the same path (behind a reverse proxy the host differs): connected ones first, then by id.

        Several accounts (of one company or several) may share one endpoint, the default: the notification
        is routed among them by ``_ebay_verified_accounts`` and ``_ebay_route``."""
        accounts = self.env["marketplace.account"].sudo().search_fetch(
            [("platform", "=", "ebay"), ("ebay_endpoint_url", "!=", False)], WEBHOOK_ACCOUNT_FIELDS, order="id")
        exact = accounts.filtered(lambda account: account.ebay_endpoint_url == url)
        if not exact:
            path = "/" + url.split("://", 1)[-1].split("/", 1)[-1]
            exact = accounts.filtered(lambda account: account.ebay_endpoint_url.endswith(path))
        return exact.sorted(lambda account: (account.state != "connected", account.id))

    @api.model
    def _ebay_verified_accounts(self, accounts, raw_body, signature_header):
        """Of ``accounts``, those whose eBay signed ``raw_body``: the signature is made with eBay's key of one
        environment (production, sandbox, or a simulator's URL), which the account's own client fetches; the
        accounts of the first environment whose key verifies it. Raises the first SignatureError when none does.

        The body never names the seller, so accounts of different eBay environments on one path are told apart
        by the key that verifies the signature; accounts of one environment by the notification's content."""
        error = None
        for source in dict.fromkeys(accounts.mapped(self._ebay_key_source)):
            same_source = accounts.filtered(lambda account, source=source: self._ebay_key_source(account) == source)
            try:
                self._ebay_verify(same_source[:1], raw_body, signature_header)
            except SignatureError as exc:
                if exc.reason == SignatureError.KEY_FETCHES_EXHAUSTED:
                    raise
                error = error or exc
                continue
            return same_source
        raise error

    @api.model
    def _ebay_key_source(self, account):
        """Where the account's client gets eBay's public keys: its API base URL, else its environment."""
        return account.sudo().ebay_api_base_url or account.environment

    @api.model
    def _ebay_route(self, accounts, parsed):
        """The account of ``accounts`` (one eBay environment) a verified notification belongs to: for an order,
        the account that already holds it; otherwise the first (connected first). An account deletion concerns
        the buyer in every company, whichever account stores it (see the notification processor)."""
        if parsed.order_id and len(accounts) > 1:
            holder = self.env["marketplace.order"].sudo().search(
                [("account_id", "in", accounts.ids), ("external_order_id", "=", parsed.order_id)], limit=1)
            if holder:
                return holder.account_id
        return accounts[:1]

    @api.model
    def _ebay_verify(self, account, raw_body, signature_header):
        """Raise SignatureError unless eBay signed exactly ``raw_body``; a malformed header is refused
        before any key lookup. Keys come from the account's PublicKeyCache in this process, over the keys and
        the fetch cap every worker shares (``ebay.public.key``); a key id that verifies is known good."""
        cache, shared = self._ebay_key_cache(account)

        def fetch(kid):
            with account.sudo()._ebay_client() as client:
                return NotificationAdapter(client).get_public_key(kid)

        SignatureVerifier(lambda kid: cache.get(kid, fetch, shared)).verify(raw_body, signature_header)
        cache.mark_good(parse_signature_header(signature_header)[0], shared)

    @api.model
    def _ebay_key_cache(self, account):
        """The account's key cache in this process and the database side all workers share, the fetch cap
        read from the system parameter each time so a change applies without a restart."""
        source = account.sudo().ebay_api_base_url or account.environment
        cache = _KEY_CACHES.setdefault((self.env.cr.dbname, account.id, source), PublicKeyCache())
        fetches = int(self.env["ir.config_parameter"].sudo().get_param(KEY_FETCHES_PARAM, FETCHES_PER_MINUTE))
        return cache, DatabaseKeys(self.env, account, source, fetches)

    @api.model
    def _ebay_receive(self, accounts, raw_body):
        """Store a verified notification under the account of ``accounts`` it belongs to (``_ebay_route``) and
        enqueue its processing; a replay (the same notification id, even delivered twice at once) stores and
        enqueues nothing.

        Raises ValueError when the body is not an eBay notification. Returns the notification id (eBay's), which
        the webhook answers with: a replay gets the same answer as the first delivery.
        """
        parsed = parse_notification(raw_body)
        account = self._ebay_route(accounts, parsed)
        notification = self._ebay_insert_new(parsed, raw_body, account)
        if notification:
            notification._enqueue_processing_under(account)
        return parsed.notification_id

    @api.model
    def _ebay_insert_new(self, parsed, raw_body, account):
        """The notification inserted, or an empty recordset when its id is stored already: one statement that
        the unique index arbitrates (no lookup first, no savepoint), eBay's webhook being this table's only
        writer (``_log_access`` columns filled as the ORM does)."""
        self.env.cr.execute(SQL("""
            INSERT INTO ebay_notification (notification_id, topic, payload, event_date, received_at, account_id,
                                           external_order_id, buyer_username, state,
                                           create_uid, create_date, write_uid, write_date)
            VALUES (%(id)s, %(topic)s, %(payload)s, %(event_date)s, %(received)s, %(account)s, %(order)s, %(buyer)s,
                    'received', %(uid)s, %(now)s, %(uid)s, %(now)s)
            ON CONFLICT (notification_id) DO NOTHING
            RETURNING id""", id=parsed.notification_id, topic=parsed.topic, payload=raw_body.decode("utf-8"),
            event_date=parsed.event_date or None, received=fields.Datetime.now(), now=self.env.cr.now(),
            account=account.id or None, order=parsed.order_id or None, buyer=parsed.buyer_username or None,
            uid=self.env.uid))
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    def _enqueue_processing(self):
        for notification in self:
            notification._enqueue_processing_under(notification.account_id)

    def _enqueue_processing_under(self, account):
        """Queue this notification's processing under ``account`` (its own, passed by the webhook that has it at
        hand rather than read back from the row it just inserted)."""
        self.ensure_one()
        job = self.env["marketplace.job"]._enqueue(
            "process_notification", account=account, payload={"notification_id": self.id}, priority=5)
        if job:
            self.write({"job_id": job.id})

    # -- outcome -------------------------------------------------------------
    def _mark(self, state, error=False):
        self.write({"state": state, "processed_at": fields.Datetime.now(), "error_message": error})

    @api.model
    def _deleted_buyers(self, usernames):
        """Of ``usernames``, those whose eBay account deletion was notified (their data stays erased)."""
        usernames = [name for name in usernames if name]
        if not usernames:
            return set()
        deletions = self.sudo().search([("topic", "=", ACCOUNT_DELETION_TOPIC), ("buyer_username", "in", usernames),
                                        ("state", "=", "processed")])
        return set(deletions.mapped("buyer_username"))

    # -- buttons -------------------------------------------------------------
    def action_process_again(self):
        """Queue these notifications for processing again (after a fix, or to replay one)."""
        without_account = self.filtered(lambda notification: not notification.account_id)
        if without_account:
            raise UserError(_("Notification %s names no eBay account: it cannot be processed.",
                              without_account[0].notification_id))
        self.write({"state": "received", "error_message": False, "processed_at": False})
        self._enqueue_processing()
        return True
