import hashlib

import psycopg2

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import mute_logger

from ..shopee_api.mappers import from_epoch, parse_push
from ..shopee_api.signing import push_is_genuine


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
    code = fields.Integer(readonly=True, index=True, help="3 = order status, 4 = tracking number, ...")
    external_shop_id = fields.Char(string="Shopee Shop ID", readonly=True)
    order_sn = fields.Char(string="Order Number", readonly=True, index="btree_not_null")
    order_status = fields.Char(readonly=True)
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
        accounts = self.env["marketplace.account"].sudo().search(
            [("platform", "=", "shopee"), ("shopee_push_url", "!=", False)], order="id")
        path = "/" + url.split("://", 1)[-1].split("/", 1)[-1]
        candidates = accounts.filtered(lambda a: a.shopee_push_url == url) or \
            accounts.filtered(lambda a: a.shopee_push_url.endswith(path))
        for account in candidates:
            if push_is_genuine(account._shopee_push_key(), account.shopee_push_url, raw_body, authorization):
                return account
        return self.env["marketplace.account"]

    @api.model
    def _shopee_receive(self, account, raw_body):
        """Store a verified push and enqueue its processing; a replay stores nothing. ValueError when the
        body is not a Shopee push."""
        parsed = parse_push(raw_body)
        digest = hashlib.sha256(raw_body).hexdigest()
        existing = self.search([("digest", "=", digest)], limit=1)
        if existing:
            return existing
        shop = self.env["marketplace.shop"].sudo().search(
            [("account_id", "=", account.id), ("external_shop_id", "=", str(parsed.shop_id))], limit=1)
        try:
            with mute_logger("odoo.sql_db"), self.env.cr.savepoint():
                push = self.create({
                    "digest": digest, "code": parsed.code, "external_shop_id": str(parsed.shop_id),
                    "order_sn": parsed.order_sn or False, "order_status": parsed.status or False,
                    "tracking_number": parsed.tracking_number or False, "pushed_at": from_epoch(parsed.timestamp),
                    "payload": raw_body.decode("utf-8"), "account_id": account.id, "shop_id": shop.id,
                    "state": "received" if shop else "ignored",
                })
        except psycopg2.errors.UniqueViolation:
            return self.search([("digest", "=", digest)], limit=1)
        push._enqueue_processing()
        return push

    def _enqueue_processing(self):
        for push in self.filtered("shop_id"):
            job = self.env["marketplace.job"]._enqueue("process_notification", shop=push.shop_id,
                                                       payload={"push_id": push.id}, priority=5)
            push.job_id = job or push.job_id

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
