import hashlib

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..shopee_api.mappers import from_epoch, parse_push
from ..shopee_api.signing import push_is_genuine

# What the webhook reads of the accounts with a push URL (URL, push key, and what a push's job reads), in the query
# that finds them
WEBHOOK_ACCOUNT_FIELDS = ["shopee_push_url", "shopee_push_key_encrypted", "client_secret_encrypted", "platform",
                          "company_id"]


class ShopeePush(models.Model):
    """A push Shopee posted to the webhook, stored (once) before any work so none is lost.

    The webhook verifies and stores; the ``process_notification`` job does the work. Shopee gives a
    push no id of its own: the same body delivered twice is the same push (its SHA-256 is unique).
    """

    _name = "shopee.push"
    _description = "Shopee Push"
    _order = "received_at desc, id desc"
    _rec_name = "digest"

    # What Shopee sent
    digest = fields.Char(required=True, readonly=True, index=True, help="SHA-256 of the body: one record per push.")
    code = fields.Integer(readonly=True, index=True, help="3 = order status, 4 = tracking number, 29 = return, ...")
    external_shop_id = fields.Char(string="Shopee Shop ID", readonly=True)
    order_sn = fields.Char(string="Order Number", readonly=True, index="btree_not_null")
    order_status = fields.Char(readonly=True)
    return_sn = fields.Char(string="Return Number", readonly=True, index="btree_not_null")
    tracking_number = fields.Char(readonly=True)
    pushed_at = fields.Datetime(readonly=True, help="The push's own timestamp.")
    payload = fields.Text(readonly=True, help="The body as Shopee signed it.")
    received_at = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    account_id = fields.Many2one("marketplace.account", readonly=True, index=True, ondelete="cascade")
    shop_id = fields.Many2one("marketplace.shop", readonly=True, index=True, ondelete="cascade")

    # Processing
    state = fields.Selection(
        [("received", "Received"), ("processed", "Processed"), ("ignored", "Ignored")],
        default="received", required=True, index=True, readonly=True, copy=False,
    )
    job_id = fields.Many2one("marketplace.job", readonly=True, copy=False, ondelete="set null")
    processed_at = fields.Datetime(readonly=True, copy=False)

    _sql_constraints = [("digest_uniq", "UNIQUE(digest)", "This Shopee push is already stored.")]

    # -- receiving -----------------------------------------------------------
    @api.model
    def _shopee_account_for(self, url, raw_body, authorization):
        """The Shopee account that signed ``raw_body``: its registered push URL is ``url`` (or, behind a
        reverse proxy, ends with the same path) and the signature over that URL matches its push key (the Live
        Push Partner Key, else the Partner Key: ``_shopee_push_key``)."""
        accounts = self.env["marketplace.account"].sudo().search_fetch(
            [("platform", "=", "shopee"), ("shopee_push_url", "!=", False)], WEBHOOK_ACCOUNT_FIELDS, order="id")
        path = "/" + url.split("://", 1)[-1].split("/", 1)[-1]
        candidates = accounts.filtered(lambda a: a.shopee_push_url == url) or \
            accounts.filtered(lambda a: a.shopee_push_url.endswith(path))
        for account in candidates:
            if push_is_genuine(account._shopee_push_key(), account.shopee_push_url, raw_body, authorization):
                return account
        return self.env["marketplace.account"]

    @api.model
    def _shopee_receive(self, account, raw_body):
        """Store a verified push and enqueue its processing; a replay (the same body, even delivered twice at
        once) stores and enqueues nothing. ValueError when the body is not a Shopee push."""
        parsed = parse_push(raw_body)
        shop = self.env["marketplace.shop"].sudo().search(
            [("account_id", "=", account.id), ("external_shop_id", "=", str(parsed.shop_id))], limit=1)
        push = self._shopee_insert_new(parsed, raw_body, account, shop)
        if push and shop:
            push._enqueue_processing_in(shop)

    @api.model
    def _shopee_insert_new(self, parsed, raw_body, account, shop):
        """The push inserted, or an empty recordset when its body is stored already: one statement that the
        unique digest arbitrates (no lookup first, no savepoint), Shopee's webhook being this table's only
        writer (``_log_access`` columns filled as the ORM does)."""
        now = self.env.cr.now()
        self.env.cr.execute(SQL("""
            INSERT INTO shopee_push (digest, code, external_shop_id, order_sn, order_status, return_sn,
                                     tracking_number, pushed_at, payload, received_at, account_id, shop_id, state,
                                     create_uid, create_date, write_uid, write_date)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (digest) DO NOTHING
            RETURNING id""",
            hashlib.sha256(raw_body).hexdigest(), parsed.code, str(parsed.shop_id), parsed.order_sn or None,
            parsed.status or None, parsed.return_sn or None, parsed.tracking_number or None,
            from_epoch(parsed.timestamp),
            raw_body.decode("utf-8"), fields.Datetime.now(), account.id, shop.id or None,
            "received" if shop else "ignored", self.env.uid, now, self.env.uid, now))
        return self.browse([row[0] for row in self.env.cr.fetchall()])

    def _enqueue_processing(self):
        for push in self.filtered("shop_id"):
            push._enqueue_processing_in(push.shop_id)

    def _enqueue_processing_in(self, shop):
        """Queue this push's processing in ``shop`` (its own, passed by the webhook that has it at hand rather
        than read back from the row it just inserted)."""
        self.ensure_one()
        job = self.env["marketplace.job"]._enqueue("process_notification", shop=shop,
                                                   payload={"push_id": self.id}, priority=5)
        if job:
            self.write({"job_id": job.id})

    def _mark(self, state):
        self.write({"state": state, "processed_at": fields.Datetime.now()})

    def action_process_again(self):
        """Queue these pushes for processing again (after a fix, or to replay one)."""
        without_shop = self.filtered(lambda push: not push.shop_id)
        if without_shop:
            raise UserError(_("Push %s names no shop of this database: it cannot be processed.",
                              without_shop[0].external_shop_id))
        self.write({"state": "received", "processed_at": False})
        self._enqueue_processing()
        return True
