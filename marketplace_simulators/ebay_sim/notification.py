"""Notifications: the simulator's EC P-256 signing key, getPublicKey, signed deliveries and the challenge.

Docs: developer.ebay.com/api-docs/commerce/notification/resources/public_key/methods/getPublicKey and
developer.ebay.com/marketplace-account-deletion (challenge: sha256(challengeCode + verificationToken +
endpoint)). The ``X-EBAY-SIGNATURE`` header is built exactly like the genuine one in
shared/ebay-samples/notification-signature-vector.json: base64 of ``{"alg","kid","signature","digest"}`` with an
ECDSA-SHA1 DER signature over the raw body. Order events: eBay documents the ``ORDER_CONFIRMATION`` topic
(developer.ebay.com/api-docs/master/commerce/notification/asyncapi/order_confirmation.yaml), whose data carries
the ``orderId`` to look up with getOrders; the rest of its data schema could not be checked.
"""
import base64
import hashlib
import ipaddress
import json
import secrets
import urllib.error
import urllib.parse
import urllib.request
import uuid
from urllib.parse import urlencode

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from .errors import not_found
from .formats import iso
from .routing import json_response

DELIVERY_TIMEOUT = 10


def ensure_key(db):
    """Create the signing key pair once; it is stored in SQLite so the kid survives restarts."""
    if db.scalar("SELECT COUNT(*) FROM signing_keys"):
        return
    private = ec.generate_private_key(ec.SECP256R1())
    private_pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()).decode()
    public_pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                                   serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    with db.transaction():
        db.execute("INSERT INTO signing_keys(kid, private_pem, public_pem) VALUES (?,?,?)",
                   (str(uuid.uuid4()), private_pem, public_pem))


def _key(db):
    return db.one("SELECT * FROM signing_keys LIMIT 1")


def get_public_key(req):
    """GET /commerce/notification/v1/public_key/{public_key_id} — PEM without line breaks, like eBay's."""
    row = req.db.one("SELECT public_pem FROM signing_keys WHERE kid=?", (req.params["public_key_id"],))
    if row is None:
        raise not_found(195001, "API_NOTIFICATION", "The specified public key ID was not found.",
                        {"public_key_id": req.params["public_key_id"]})
    return json_response({"key": row["public_pem"].replace("\n", ""), "algorithm": "ECDSA", "digest": "SHA1"})


def signature_header(db, body):
    """``X-EBAY-SIGNATURE`` value for ``body`` (the exact bytes that will be sent)."""
    row = _key(db)
    private = serialization.load_pem_private_key(row["private_pem"].encode(), password=None)
    der = private.sign(body, ec.ECDSA(hashes.SHA1()))
    envelope = {"alg": "ecdsa", "kid": row["kid"], "signature": base64.b64encode(der).decode(), "digest": "SHA1"}
    return base64.b64encode(json.dumps(envelope, separators=(",", ":")).encode()).decode()


def notification_body(topic, data):
    """Compact JSON body in the shape of the genuine account-deletion notification."""
    now = iso()
    payload = {"metadata": {"topic": topic, "schemaVersion": "1.0", "deprecated": False},
               "notification": {"notificationId": f"{uuid.uuid4()}_{uuid.uuid4()}", "eventDate": now,
                                "publishDate": now, "publishAttemptCount": 1, "data": data}}
    return json.dumps(payload, separators=(",", ":")).encode()


def _require_loopback(url):
    """The simulator only ever calls back into this machine: it is a test double, not a sender."""
    host = urllib.parse.urlsplit(url).hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the simulator only delivers to loopback addresses, not {host!r}")


def _http(method, url, body=None, headers=None):
    """``(status, body bytes)`` of one HTTP call; connection failures are status 0."""
    _require_loopback(url)
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=DELIVERY_TIMEOUT) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        return 0, str(exc).encode()


def deliver(db, target_url, topic, data):
    """Sign and POST one notification; returns the target's status and the notification id."""
    body = notification_body(topic, data)
    status, _ = _http("POST", target_url, body, {"Content-Type": "application/json",
                                                 "X-EBAY-SIGNATURE": signature_header(db, body)})
    return {"status": status, "notificationId": json.loads(body)["notification"]["notificationId"]}


def challenge(endpoint_url, verification_token):
    """Endpoint validation: GET ``endpoint?challenge_code=X`` and check the returned hash."""
    code = secrets.token_hex(16)
    expected = hashlib.sha256((code + verification_token + endpoint_url).encode()).hexdigest()
    separator = "&" if "?" in endpoint_url else "?"
    status, body = _http("GET", endpoint_url + separator + urlencode({"challenge_code": code}))
    try:
        received = json.loads(body).get("challengeResponse")
    except (ValueError, AttributeError):
        received = None
    return {"ok": status == 200 and received == expected, "status": status, "challengeCode": code,
            "expected": expected, "received": received}


ROUTES = [("GET", "/commerce/notification/v1/public_key/{public_key_id}", get_public_key, "any")]
