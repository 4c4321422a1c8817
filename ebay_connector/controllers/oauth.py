from odoo import _, http
from odoo.http import request

from odoo.addons.marketplace_base.controllers.oauth_callback import account_from_state, callback_refusals

from ..models.marketplace_account import OAUTH_PURPOSE


class EbayOAuthController(http.Controller):
    """Where eBay sends the seller back after the consent page (the RuName's accepted URL)."""

    @http.route("/ebay/oauth/callback", type="http", auth="user", methods=["GET"])
    def ebay_oauth_callback(self, code=None, state=None, error=None, **_kwargs):
        account = account_from_state(OAUTH_PURPOSE, state)
        with callback_refusals():
            account._check_authorizer_email()
            if error or not code:
                account.message_post(body=_("eBay consent was declined (%s).", error or _("no code")))
                return request.redirect(self._account_url(account))
            account.check_access("write")
            account._ebay_finish_connect(code)
        return request.redirect(self._account_url(account))

    @staticmethod
    def _account_url(account):
        return "/odoo/action-marketplace_base.action_marketplace_account/%s" % account.id
