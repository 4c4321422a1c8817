from werkzeug.exceptions import BadRequest, Forbidden

from odoo import _, http
from odoo.exceptions import AccessError, UserError
from odoo.http import request

from ..models.marketplace_account import OAUTH_PURPOSE


class EbayOAuthController(http.Controller):
    """Where eBay sends the seller back after the consent page (the RuName's accepted URL)."""

    @http.route("/ebay/oauth/callback", type="http", auth="user", methods=["GET"])
    def ebay_oauth_callback(self, code=None, state=None, error=None, **_kwargs):
        Account = request.env["marketplace.account"]
        try:
            account = Account._account_from_oauth_state(OAUTH_PURPOSE, state)
        except AccessError as exc:
            raise Forbidden(str(exc)) from exc
        except UserError as exc:
            raise BadRequest(str(exc)) from exc
        if error or not code:
            account.message_post(body=_("eBay consent was declined (%s).", error or _("no code")))
            return request.redirect(self._account_url(account))
        account.check_access("write")
        account._ebay_finish_connect(code)
        return request.redirect(self._account_url(account))

    @staticmethod
    def _account_url(account):
        return "/odoo/action-marketplace_base.action_marketplace_account/%s" % account.id
