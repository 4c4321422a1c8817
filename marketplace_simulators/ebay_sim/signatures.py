"""eBay's digital signatures for APIs, as eBay checks them, and the Key Management API that makes the keypairs.

Written from eBay's guide and its verification service (github.com/eBay/digital-signature-verification-ebay-api),
not from the connector's ``ebay_api/message_signature.py``: an independent reading, so a signer bug shows.
A request to a signed call (``SIGNED``) made while the seller is EU- or UK-domiciled (``POST /_sim/seller``)
must carry ``x-ebay-signature-key`` (a JWE this simulator issued), ``Signature-Input`` covering at least
``x-ebay-signature-key @method @path @authority`` (and ``content-digest`` with a body), a ``Content-Digest`` of the
body and a ``Signature`` that verifies with that key; ``created`` may not be more than 5 minutes off. The
simulator's JWE is an opaque token standing for the public key (eBay's is encrypted; nobody but eBay reads it).
eBay's error ids: 215120 "Signature validation failed" (forum threads), 215113 "Invalid timestamp in signature
parameters"; the HTTP status (400) is the simulator's choice.
"""
import base64
import hashlib
import re
import secrets
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

from .errors import bad_request, not_found
from .routing import json_response

DOMAIN = "API_KEY_MANAGEMENT"
SIGNATURE_DOMAIN = "ACCESS"
EU_UK = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR", "HR", "HU", "IE", "IT", "LT",
         "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"}
MAX_SKEW_SECONDS = 300
KEY_YEARS = 3
SIGNATURE_INPUT = re.compile(r"^\w+=(\(([^)]*)\);created=(\d+)(;.*)?)$")
SIGNATURE = re.compile(r"^\w+=:([A-Za-z0-9+/=]+):$")
REQUIRED = {"x-ebay-signature-key", "@method", "@path", "@authority"}


def _refused(message, error_id=215120):
    return bad_request(error_id, SIGNATURE_DOMAIN, message)


def signatures_required(db):
    """Whether the seller is EU- or UK-domiciled (``POST /_sim/seller``): eBay then wants signed calls."""
    return db.meta("seller_domicile", "US") in EU_UK


def check(req):
    """Refuse a call eBay wants signed whose signature is missing or wrong; nothing for a US seller."""
    if not signatures_required(req.db):
        return
    headers = {name.lower(): value for name, value in req.headers.items()}
    row = req.db.one("SELECT public_der FROM api_signing_keys WHERE jwe=?", (headers.get("x-ebay-signature-key"),))
    if row is None:
        raise _refused("Signature validation failed: x-ebay-signature-key missing or unknown")
    match = SIGNATURE_INPUT.match(headers.get("signature-input", ""))
    if not match:
        raise _refused("Signature validation failed: Signature-Input missing or invalid")
    if abs(time.time() - int(match.group(3))) > MAX_SKEW_SECONDS:
        raise _refused("Invalid timestamp in signature parameters", 215113)
    covered = match.group(2).replace('"', "").split()
    if not REQUIRED <= set(covered) or (req.body and "content-digest" not in covered):
        raise _refused("Signature validation failed: Signature-Input does not cover the required components")
    if req.body and headers.get("content-digest") != "sha-256=:%s:" % base64.b64encode(
            hashlib.sha256(req.body).digest()).decode():
        raise _refused("Signature validation failed: Content-Digest does not match the body")
    derived = {"@method": req.method, "@path": req.path, "@authority": headers.get("host", "")}
    lines = ['"%s": %s' % (name, derived[name] if name.startswith("@") else headers.get(name, "")) for name in covered]
    base = "\n".join(lines + ['"@signature-params": ' + match.group(1)]).encode()
    signature = SIGNATURE.match(headers.get("signature", ""))
    if not signature or not _verifies(row["public_der"], base64.b64decode(signature.group(1)), base):
        raise _refused("Signature validation failed")


def _verifies(public_der, signature, base):
    key = serialization.load_der_public_key(base64.b64decode(public_der))
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, base, padding.PKCS1v15(), hashes.SHA256())
        else:
            key.verify(signature, base)
    except InvalidSignature:
        return False
    return True


def _new_keypair(cipher):
    if cipher == "ED25519":
        return ed25519.Ed25519PrivateKey.generate()
    if cipher == "RSA":
        return rsa.generate_private_key(public_exponent=65537, key_size=2048)
    raise bad_request(240002, DOMAIN, "The signingKeyCipher is invalid. Supported values: ED25519, RSA.",
                      {"signingKeyCipher": cipher})


def _key_json(row, private_der=None):
    answer = {"signingKeyId": row["signing_key_id"], "signingKeyCipher": row["cipher"],
              "publicKey": row["public_der"], "jwe": row["jwe"], "creationTime": row["created"],
              "expirationTime": row["expires"]}
    if private_der:
        answer["privateKey"] = private_der
    return answer


def create_signing_key(req):
    """createSigningKey: a keypair; the private key (base64 PKCS #8 DER) is answered this once only."""
    key = _new_keypair((req.json().get("signingKeyCipher") or "").upper())
    public_der = base64.b64encode(key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)).decode()
    private_der = base64.b64encode(key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())).decode()
    now = int(time.time())
    row = {"signing_key_id": secrets.token_hex(16), "cipher": "RSA" if isinstance(key, rsa.RSAPrivateKey)
           else "ED25519", "public_der": public_der, "jwe": "sim-jwe." + secrets.token_urlsafe(48), "created": now,
           "expires": now + KEY_YEARS * 365 * 86400}
    with req.db.transaction() as db:
        db.execute("INSERT INTO api_signing_keys(signing_key_id, cipher, public_der, jwe, created, expires) "
                   "VALUES (:signing_key_id, :cipher, :public_der, :jwe, :created, :expires)", row)
    return json_response(_key_json(row, private_der))


def get_signing_key(req):
    row = req.db.one("SELECT * FROM api_signing_keys WHERE signing_key_id=?", (req.params["signing_key_id"],))
    if row is None:
        raise not_found(240001, DOMAIN, "The signing key was not found.")
    return json_response(_key_json(row))


def post_seller(req):
    """``/_sim/seller {"domicile": "DE"}``: where the seller is registered (EU/UK sellers must sign)."""
    domicile = (req.json().get("domicile") or "US").upper()
    with req.db.transaction() as db:
        db.set_meta("seller_domicile", domicile)
    return json_response({"domicile": domicile, "signatures_required": domicile in EU_UK})


ROUTES = [
    ("POST", "/developer/key_management/v1/signing_key", create_signing_key, "any"),
    ("GET", "/developer/key_management/v1/signing_key/{signing_key_id}", get_signing_key, "any"),
    ("POST", "/_sim/seller", post_seller, "sim"),
]
