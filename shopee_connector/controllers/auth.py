from werkzeug.exceptions import BadRequest, Forbidden

from odoo import _, http
from odoo.exceptions import AccessError, UserError
from odoo.http import request

from ..models.marketplace_account import AUTH_PURPOSE


class ShopeeAuthController(http.Controller):
    """Where Shopee sends the seller back after authorizing a shop (``code`` and ``shop_id``) or, from a main
    account, the shops under it (``code`` and ``main_account_id``)."""

    @http.route("/shopee/auth/callback", type="http", auth="user", methods=["GET"])
    def shopee_auth_callback(self, state=None, code=None, shop_id=None, main_account_id=None, **_kwargs):
        Account = request.env["marketplace.account"]
        try:
            account = Account._account_from_oauth_state(AUTH_PURPOSE, state)
            if not code:
                raise UserError(_("Shopee sent no authorization code."))
            account.check_access("write")
            shops = account._shopee_finish_authorization(code, shop_id, main_account_id)
        except AccessError as exc:
            raise Forbidden(str(exc)) from exc
        except UserError as exc:
            raise BadRequest(str(exc)) from exc
        if len(shops) > 1:
            return request.redirect("/odoo/action-marketplace_base.action_marketplace_shop")
        return request.redirect("/odoo/action-marketplace_base.action_marketplace_shop/%s" % shops.id)
