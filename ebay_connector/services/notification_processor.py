from odoo import _
from odoo.exceptions import UserError

from odoo.addons.marketplace_base.marketplace_core.errors import JobPayloadError, is_retryable
from odoo.addons.marketplace_base.marketplace_core.orders import BUYER_FIELDS

from ..ebay_api.errors import EbayError
from ..sync_core.orders import ACCOUNT_DELETION_TOPIC, ORDER_TOPIC
from .order_importer import OrderImporter


class NotificationProcessor(OrderImporter):
    """``process_notification``: act on one stored webhook notification.

    An order notification is an import of that order by id: this service is the order importer of its
    account (one service, one eBay client), routing the order to the shop of its eBay site, so a webhook
    and a pull of the same order meet the same idempotent import; an account deletion erases the buyer's
    data. The cron never depends on this: a lost notification only delays an order until the next pull.
    """

    route_all = True

    def execute(self):
        notification = self._notification()
        handler = {ORDER_TOPIC: self._process_order, ACCOUNT_DELETION_TOPIC: self._process_account_deletion}.get(
            notification.topic)
        if handler is None:
            notification._mark("ignored")
            self.run.log(_("Topic %s is not handled: ignored.", notification.topic))
            return
        try:
            # no savepoint: the order import commits page by page, and what it stored stays valid
            handler(notification)
        except (UserError, EbayError) as exc:
            if is_retryable(exc) and self.job.attempts < self.job.max_attempts:
                raise
            notification._mark("failed", str(exc))
            self.run.log(_("Notification %(id)s failed: %(error)s", id=notification.notification_id, error=exc),
                         "error")
            return
        notification._mark("processed")

    def _notification(self):
        notification_id = self.run.payload.get("notification_id")
        notification = self.env["ebay.notification"].browse(notification_id if isinstance(notification_id, int)
                                                             else []).exists()
        if not notification:
            raise JobPayloadError(_('Payload: "notification_id" must name a stored eBay notification, got %s.',
                                    notification_id))
        return notification

    # -- ORDER_CONFIRMATION ----------------------------------------------------
    def _process_order(self, notification):
        if not notification.external_order_id:
            raise UserError(_("The notification carries no orderId."))
        if not self.account_shops:
            raise UserError(_("Account %s has no shop to import the order into.", self.account.name))
        missing = self.import_order_ids([notification.external_order_id])
        if missing:
            raise UserError(_("eBay returned no order %s.", notification.external_order_id))

    # -- MARKETPLACE_ACCOUNT_DELETION -----------------------------------------
    def _process_account_deletion(self, notification):
        """Erase the buyer's contacts and the buyer data on their eBay orders (eBay's deletion request), in every
        company of the database: the request concerns the person, whichever seller account eBay sent it to, and
        the job itself runs in its account's company only. Each erased contact and order says so in its chatter."""
        username = notification.buyer_username
        if not username:
            raise UserError(_("The account deletion notification names no username."))
        partners = self.env["res.partner"].sudo().with_context(active_test=False).search(
            [("marketplace_buyer_key", "=", "ebay:%s" % username)])
        orders = self.env["marketplace.order"].sudo().search(
            [("shop_id.platform", "=", "ebay"), ("buyer_username", "=", username)])
        partners |= orders.partner_id
        note = _("Buyer data erased: eBay notified that the buyer deleted their eBay account (notification %s).",
                 notification.notification_id)
        partners._marketplace_anonymize(note)
        orders.write(dict.fromkeys(BUYER_FIELDS, False))
        for order in orders:
            order.message_post(body=note)
        self.run.log(_("Buyer data erased: %(partners)s contact(s), %(orders)s order(s), %(companies)s company(ies).",
                       partners=len(partners), orders=len(orders),
                       companies=len(partners.company_id | orders.company_id)))
