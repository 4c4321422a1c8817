import logging

from odoo import http
from odoo.http import request

from odoo.addons.marketplace_base.marketplace_core.webhook_guard import body_refusal

_logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024  # Shopee pushes are a few hundred bytes; anything this big is not one


class ShopeeWebhookController(http.Controller):
    """Shopee's push callback: the signature (``Authorization`` = HMAC-SHA256 of URL | raw body with the
    partner key) is checked before anything is stored; the push is stored once and processed by a job,
    and Shopee gets its 2xx with an empty body at once. Refusals are 4xx and store nothing."""

    @http.route("/api/shopee/webhook", type="http", auth="none", methods=["POST"], csrf=False,
                save_session=False, readonly=False)
    def shopee_push(self, **_kwargs):
        httprequest = request.httprequest
        refusal = body_refusal(httprequest.content_length, httprequest.mimetype, MAX_BODY_BYTES)
        if refusal:
            return self._refuse(*refusal)
        authorization = httprequest.headers.get("Authorization")
        if not authorization:
            return self._refuse(401, "Authorization header missing")
        raw_body = httprequest.get_data(cache=False)
        Push = request.env["shopee.push"].sudo()
        account = Push._shopee_account_for(httprequest.base_url, raw_body, authorization)
        if not account:
            return self._refuse(401, "signature does not match any Shopee account's push URL and partner key")
        try:
            Push._shopee_receive(account, raw_body)
        except ValueError as exc:
            return self._refuse(400, str(exc))
        return request.make_response(b"", status=200)

    @staticmethod
    def _refuse(status, reason):
        _logger.warning("Shopee webhook refused a push with %s: %s", status, reason)
        return request.make_json_response({"error": reason}, status=status)
