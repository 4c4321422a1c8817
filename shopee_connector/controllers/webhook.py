import logging

from odoo import http
from odoo.http import request

from odoo.addons.marketplace_base.marketplace_core.webhook_guard import body_refusal

from ..shopee_api.mappers import names_a_record

_logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024  # Shopee pushes are a few hundred bytes; anything this big is not one


class ShopeeWebhookController(http.Controller):
    """Shopee's push callback: the signature (``Authorization`` = HMAC-SHA256 of URL | raw body with the
    account's Live Push Partner Key, else its Partner Key) is checked before anything is stored; the push is
    stored once and processed by a job, and Shopee gets its 2xx with an empty body at once. Refusals are 4xx
    and store nothing.

    A push naming no order and no return is answered 200 and not stored, signed or not: Shopee's console saves a
    callback URL only once its verification push got a 2xx (possibly before the seller could enter the push key it
    generates), and the connector acts on order and return pushes only. Nothing unverified is ever stored or acted
    on."""

    @http.route("/api/shopee/webhook", type="http", auth="none", methods=["POST"], csrf=False,
                save_session=False, readonly=False)
    def shopee_push(self, **_kwargs):
        httprequest = request.httprequest
        refusal = body_refusal(httprequest.content_length, httprequest.mimetype, MAX_BODY_BYTES)
        if refusal:
            return self._refuse(*refusal)
        # at most MAX_BODY_BYTES; kept for a retry of the request (a concurrent delivery of the same body)
        raw_body = httprequest.get_data()
        try:
            if not names_a_record(raw_body):
                _logger.info("Shopee push naming no order or return answered, not kept (a callback verification?)")
                return request.make_response(b"", status=200)
        except ValueError as exc:
            return self._refuse(400, str(exc))
        authorization = httprequest.headers.get("Authorization")
        if not authorization:
            return self._refuse(401, "Authorization header missing")
        Push = request.env["shopee.push"].sudo()
        account = Push._shopee_account_for(httprequest.base_url, raw_body, authorization)
        if not account:
            return self._refuse(401, "signature does not match any Shopee account's push URL and push key")
        try:
            Push._shopee_receive(account, raw_body)
        except ValueError as exc:
            return self._refuse(400, str(exc))
        return request.make_response(b"", status=200)

    @staticmethod
    def _refuse(status, reason):
        _logger.warning("Shopee webhook refused a push with %s: %s", status, reason)
        return request.make_json_response({"error": reason}, status=status)
