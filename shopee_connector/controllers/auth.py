from odoo import _, http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.marketplace_base.controllers.oauth_callback import account_from_state, callback_refusals

from ..models.marketplace_account import AUTH_PURPOSE


class ShopeeAuthController(http.Controller):
    """Where Shopee sends the seller back after authorizing a shop (``code`` and ``shop_id``) or, from a main
    account, the shops under it (``code`` and ``main_account_id``)."""

    @http.route("/shopee/auth/callback", type="http", auth="user", methods=["GET"])
    def shopee_auth_callback(self, state=None, code=None, shop_id=None, main_account_id=None, **_kwargs):
        account = account_from_state(AUTH_PURPOSE, state)
        with callback_refusals():
            if not code:
                raise UserError(_("Shopee sent no authorization code."))
            account.check_access("write")
            shops = account._shopee_finish_authorization(code, shop_id, main_account_id)
        if len(shops) > 1:
            return request.redirect("/odoo/action-marketplace_base.action_marketplace_shop")
        return request.redirect("/odoo/action-marketplace_base.action_marketplace_shop/%s" % shops.id)
