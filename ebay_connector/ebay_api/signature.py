"""Verifying eBay webhook notifications and answering the endpoint challenge.

``X-EBAY-SIGNATURE`` is base64 of ``{"alg":"ecdsa","kid":..,"signature":<base64 DER>,"digest":"SHA1"}``;
the signature is ECDSA with SHA-1 over the raw body bytes, checked with the public key that
getPublicKey returns for ``kid`` (cached by ``public_keys.PublicKeyCache``). Follows eBay's
notification SDKs and developer.ebay.com/api-docs/commerce/notification/overview.html;
challenge: developer.ebay.com/marketplace-account-deletion.
"""
import base64
import binascii
import hashlib
import json
import re

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_der_public_key

from .errors import EbayRequestError, SignatureError

PEM_BODY = re.compile(r"-----BEGIN PUBLIC KEY-----(.*?)-----END PUBLIC KEY-----", re.S)


def challenge_response(challenge_code, verification_token, endpoint_url):
    """sha256 hex of challengeCode + verificationToken + endpoint (exactly as registered)."""
    digest = hashlib.sha256()
    for part in (challenge_code, verification_token, endpoint_url):
        digest.update(part.encode("utf-8"))
    return digest.hexdigest()


def parse_signature_header(header_value):
    """The decoded header as ``(kid, signature_der)``; SignatureError(malformed_header) for
    anything that is not eBay's ECDSA/SHA1 header."""
    try:
        header = json.loads(base64.b64decode(header_value, validate=True))
        kid, signature = header["kid"], base64.b64decode(header["signature"], validate=True)
        algorithm, digest = header.get("alg", "").lower(), header.get("digest", "").upper()
    except (TypeError, ValueError, KeyError, AttributeError, binascii.Error) as exc:
        raise SignatureError(SignatureError.MALFORMED_HEADER, f"unreadable X-EBAY-SIGNATURE: {exc}") from exc
    if not isinstance(kid, str) or not kid or algorithm != "ecdsa" or digest != "SHA1":
        raise SignatureError(SignatureError.MALFORMED_HEADER,
                             f"unsupported X-EBAY-SIGNATURE (alg={algorithm!r}, digest={digest!r})")
    return kid, signature


def load_public_key(key_text):
    """An EC public key from getPublicKey's ``key`` (a PEM that eBay sends without line breaks)."""
    match = PEM_BODY.search(key_text or "")
    if not match:
        raise ValueError("not a PEM public key")
    key = load_der_public_key(base64.b64decode("".join(match.group(1).split())))
    if not isinstance(key, ec.EllipticCurvePublicKey):
        raise ValueError("not an elliptic-curve key")
    return key


class SignatureVerifier:
    def __init__(self, fetch_public_key):
        """``fetch_public_key(kid)`` returns getPublicKey's body, normally ``PublicKeyCache.get``
        (see ``public_keys.py``) over ``NotificationAdapter.get_public_key``; an unknown kid makes it
        raise SignatureError (UNKNOWN_KEY) or EbayRequestError."""
        self.fetch_public_key = fetch_public_key

    def verify(self, raw_body, header_value):
        """Return None when eBay signed exactly ``raw_body``; raise SignatureError otherwise.
        Network trouble fetching the key propagates (retryable) so the webhook can answer 5xx
        and eBay sends the notification again."""
        kid, signature = parse_signature_header(header_value)
        try:
            self._key(kid).verify(signature, raw_body, ec.ECDSA(hashes.SHA1()))
        except InvalidSignature as exc:
            raise SignatureError(SignatureError.BAD_SIGNATURE, f"signature of key {kid} does not match") from exc

    def _key(self, kid):
        try:
            return load_public_key(self.fetch_public_key(kid).get("key"))
        except EbayRequestError as exc:
            raise SignatureError(SignatureError.UNKNOWN_KEY, f"eBay does not know key {kid}: {exc}") from exc
        except (ValueError, AttributeError, UnsupportedAlgorithm) as exc:
            raise SignatureError(SignatureError.UNKNOWN_KEY, f"key {kid} is not usable: {exc}") from exc
