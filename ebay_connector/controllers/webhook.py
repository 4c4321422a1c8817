import logging

from odoo import http
from odoo.exceptions import UserError
from odoo.http import request

from odoo.addons.marketplace_base.marketplace_core.webhook_guard import body_refusal

from ..ebay_api.errors import EbayError, SignatureError

_logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024  # eBay notifications are a few hundred bytes; anything this big is not one
SIGNATURE_HEADER = "X-EBAY-SIGNATURE"


class EbayWebhookController(http.Controller):
    """eBay's notification endpoint: the challenge (GET) and signed notifications (POST).

    A POST is checked (size, type, signature over the raw body) before anything is stored,
    then stored and queued; the work happens in the ``process_notification`` job so eBay
    gets its 200 at once. Refusals are 4xx (412 for signatures, as eBay's SDKs answer; 429 for
    an uncached key id while the minute's key fetches are spent, see ``ebay_api/public_keys.py``);
    trouble fetching eBay's key is 503 so that eBay delivers again later.
    """

    @http.route("/api/ebay/webhook", type="http", auth="none", methods=["GET"], csrf=False, save_session=False)
    def ebay_challenge(self, challenge_code=None, **_kwargs):
        """Endpoint validation: sha256(challengeCode + verificationToken + endpoint URL)."""
        if not challenge_code:
            return self._refuse(400, "challenge_code is required")
        account = self._accounts().filtered(lambda account: account.sudo().ebay_verification_token)[:1]
        if not account:
            return self._refuse(404, "no eBay account has this notification endpoint and a verification token")
        return request.make_json_response({"challengeResponse": account._ebay_verification_hash(challenge_code)})

    @http.route("/api/ebay/webhook", type="http", auth="none", methods=["POST"], csrf=False, save_session=False,
                readonly=False)
    def ebay_notification(self, **_kwargs):
        httprequest = request.httprequest
        refusal = body_refusal(httprequest.content_length, httprequest.mimetype, MAX_BODY_BYTES)
        if refusal:
            return self._refuse(*refusal)
        accounts = self._accounts()
        if not accounts:
            return self._refuse(404, "no eBay account has this notification endpoint")
        # at most MAX_BODY_BYTES; kept for a retry of the request (a concurrent delivery of the same body)
        raw_body = httprequest.get_data()
        signature = httprequest.headers.get(SIGNATURE_HEADER)
        if not signature:
            return self._refuse(412, "%s header missing" % SIGNATURE_HEADER)
        Notification = request.env["ebay.notification"].sudo()
        try:
            accounts = Notification._ebay_verified_accounts(accounts, raw_body, signature)
        except SignatureError as exc:
            status = 429 if exc.reason == SignatureError.KEY_FETCHES_EXHAUSTED else 412
            return self._refuse(status, "%s: %s" % (exc.reason, exc))
        except (EbayError, UserError, OSError) as exc:
            _logger.warning("eBay webhook: cannot fetch eBay's public key now: %s", exc)
            return self._refuse(503, "eBay's public key is unavailable; deliver again later")
        try:
            notification_id = Notification._ebay_receive(accounts, raw_body)
        except ValueError as exc:
            return self._refuse(400, str(exc))
        return request.make_json_response({"notificationId": notification_id})

    @staticmethod
    def _accounts():
        """The accounts sharing this endpoint; the notification model routes a POST to the one it belongs to."""
        return request.env["ebay.notification"].sudo()._ebay_webhook_accounts(request.httprequest.base_url)

    @staticmethod
    def _refuse(status, reason):
        _logger.warning("eBay webhook refused a %s with %s: %s", request.httprequest.method, status, reason)
        return request.make_json_response({"error": reason}, status=status)
