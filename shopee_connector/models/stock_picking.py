import base64

from odoo import _, fields, models
from odoo.exceptions import UserError

# the first bytes of an airway bill's file -> (extension, mimetype); Shopee sends HTML for some TW channels
# and a ZIP when the seller prints on a thermal printer, a PDF otherwise (docs/shopee-api.md)
AIRWAY_BILL_FORMATS = ((b"%PDF", "pdf", "application/pdf"), (b"PK", "zip", "application/zip"))


class StockPicking(models.Model):
    """Deliveries of Shopee orders: the shipment is arranged on Shopee, and Shopee's tracking number lands here."""

    _inherit = "stock.picking"

    shopee_shipment_arranged = fields.Boolean(
        readonly=True, copy=False, help="Set once Shopee arranged this delivery's shipment (ship_order).")
    shopee_ship_method = fields.Selection(
        [("pickup", "Pickup"), ("dropoff", "Drop-off"), ("non_integrated", "Own Carrier")],
        string="Shopee Shipping", readonly=True, copy=False,
        help="How the shipment was arranged on Shopee: the carrier picks the parcel up, you drop it off at "
             "the carrier's branch, or your own carrier with your tracking number.")
    is_shopee_delivery = fields.Boolean(compute="_compute_is_shopee_delivery")

    def _compute_is_shopee_delivery(self):
        for picking in self:
            picking.is_shopee_delivery = picking.picking_type_code == "outgoing" and \
                picking.sudo().sale_id.marketplace_order_id.shop_id.platform == "shopee"

    def _action_done(self):
        """A validated delivery of a Shopee order is shipped on Shopee (unless it was arranged already)."""
        result = super()._action_done()
        self.filtered(lambda p: p.is_shopee_delivery and not p.shopee_shipment_arranged)._shopee_enqueue_ship()
        return result

    def action_shopee_ship(self):
        """Button: arrange the shipment on Shopee now (before packing is finished, to print the label)."""
        pickings = self.filtered(lambda p: p.is_shopee_delivery and p.state != "cancel")
        if not pickings:
            raise UserError(_("Only deliveries of Shopee orders can be shipped on Shopee."))
        jobs = pickings._shopee_enqueue_ship(user=pickings._shopee_asker())
        return _queued(_("Shipping queued: %s (Marketplace > Jobs).", ", ".join(jobs.mapped("name"))))

    def action_shopee_print_airway_bill(self):
        """Button: Shopee's airway bill (again) onto the delivery, for a shipment arranged on Shopee."""
        pickings = self.filtered(lambda p: p.is_shopee_delivery and p.shopee_shipment_arranged)
        if not pickings:
            raise UserError(_("Ship the delivery on Shopee first: the airway bill comes with the shipment."))
        jobs = self.env["marketplace.job"]
        for picking in pickings:
            jobs |= picking._shopee_enqueue_print(user=picking._shopee_asker())
        return _queued(_("Airway bill queued: %s (Marketplace > Jobs).", ", ".join(jobs.mapped("name"))))

    def _shopee_enqueue_print(self, packages=None, user=None):
        """Queue the airway bill of this delivery; ``packages`` [{package_number, tracking_number}] spares
        the job asking Shopee for them; ``user`` as in ``marketplace.job._enqueue``."""
        self.ensure_one()
        payload = {"picking_id": self.id}
        if packages:
            payload["packages"] = packages
        return self.env["marketplace.job"].sudo()._enqueue(
            "print_shipping_document", shop=self.sudo().sale_id.marketplace_order_id.shop_id, payload=payload,
            priority=5, user=user)

    def _shopee_attach_airway_bill(self, order_sn, package_number, content):
        """Attach the airway bill (replacing an earlier print of the same package) and say so in the chatter."""
        self.ensure_one()
        extension, mimetype = next(((ext, mime) for magic, ext, mime in AIRWAY_BILL_FORMATS
                                    if content.startswith(magic)), ("html", "text/html"))
        name = "Shopee AWB %s.%s" % ("-".join(filter(None, (order_sn, package_number))), extension)
        Attachment = self.env["ir.attachment"]
        attachment = Attachment.search([("res_model", "=", self._name), ("res_id", "=", self.id),
                                        ("name", "=", name)], limit=1)
        values = {"datas": base64.b64encode(content), "mimetype": mimetype}
        if attachment:
            attachment.write(values)
        else:
            attachment = Attachment.create(dict(values, name=name, res_model=self._name, res_id=self.id))
        self.message_post(body=_("Shopee airway bill: %s", name), attachment_ids=attachment.ids)
        return attachment

    def _shopee_asker(self):
        """Who a button's Shopee job runs as: the person who pressed it when they may use the marketplace; else
        (a warehouse clerk: the job engine could not even read the job's shop as them) the shop's Job User."""
        user = self.env.user
        return user if user.has_group("marketplace_base.group_marketplace_user") else None

    def _shopee_enqueue_ship(self, user=None):
        """Queue the shipment of these deliveries; ``user`` as in ``marketplace.job._enqueue`` (none: a
        validation's hook, run as the shop's Job User)."""
        Job = self.env["marketplace.job"].sudo()
        jobs = Job
        for picking in self:
            jobs |= Job._enqueue("ship_order", shop=picking.sudo().sale_id.marketplace_order_id.shop_id,
                                 payload={"picking_id": picking.id}, priority=5, user=user)
        return jobs


def _queued(message):
    """The notification a button answers with once its jobs are queued (then the form reloads)."""
    return {"type": "ir.actions.client", "tag": "display_notification", "params": {
        "type": "info", "message": message, "next": {"type": "ir.actions.client", "tag": "soft_reload"}}}
