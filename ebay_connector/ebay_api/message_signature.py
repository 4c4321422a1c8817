"""eBay's digital signatures for APIs: HTTP message signatures (RFC 9421) with a Content-Digest (RFC 9530).

eBay requires them on calls made for EU- and UK-domiciled sellers to the Finances API, the Fulfillment API's
issueRefund and some Post-Order methods (``requires_signature``); it ignores them elsewhere. eBay's guide fixes
the covered components: ``("content-digest" "x-ebay-signature-key" "@method" "@path" "@authority")`` with a
``created`` parameter (``content-digest`` only when the request has a body), signed with the private key of a
keypair from the Key Management API (Ed25519, RSA as a fallback) whose public key travels, encrypted by eBay,
as the JWE in ``x-ebay-signature-key``. Pure functions, no Odoo: the client signs, the simulator verifies.
"""
import base64
import hashlib
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

SIGNATURE_KEY_HEADER = "x-ebay-signature-key"
LABEL = "sig1"
# The calls eBay's guide lists, as (method, path pattern): every Finances method, issueRefund, and the Post-Order
# refunds, return decision and cancellation approval and creation.
SIGNED_CALLS = (
    ("*", re.compile(r"^/sell/finances/")),
    ("POST", re.compile(r"^/sell/fulfillment/v1/order/[^/]+/issue_refund$")),
    ("POST", re.compile(r"^/post-order/v2/(inquiry|casemanagement|return)/[^/]+/issue_refund$")),
    ("POST", re.compile(r"^/post-order/v2/return/[^/]+/decide$")),
    ("POST", re.compile(r"^/post-order/v2/cancellation/[^/]+/approve$")),
    ("POST", re.compile(r"^/post-order/v2/cancellation$")),
)
_INPUT = re.compile(r'^(?P<label>[A-Za-z][A-Za-z0-9_-]*)=(?P<params>\((?P<components>[^)]*)\);created=(?P<created>\d+)'
                    r'(;[^,]*)?)$')
_SIGNATURE = re.compile(r"^(?P<label>[A-Za-z][A-Za-z0-9_-]*)=:(?P<value>[A-Za-z0-9+/=]+):$")
_DIGEST = re.compile(r"^sha-256=:(?P<value>[A-Za-z0-9+/=]+):$")


class MessageSignatureError(ValueError):
    """A signature that is missing, malformed or does not verify; ``reason`` says which, in eBay's words."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def requires_signature(method, path):
    """True for the calls eBay's guide says must be signed for EU/UK sellers."""
    return any(wanted in ("*", method.upper()) and pattern.match(path) for wanted, pattern in SIGNED_CALLS)


def content_digest(body):
    """The Content-Digest header of a body (RFC 9530): ``sha-256=:<base64 of SHA-256>:``."""
    return "sha-256=:%s:" % base64.b64encode(hashlib.sha256(body).digest()).decode()


def signature_params(components, created):
    """The ``@signature-params`` value: the covered components in order and the creation time."""
    return "(%s);created=%d" % (" ".join('"%s"' % name for name in components), created)


def signature_base(components, values, params):
    """RFC 9421 section 2.5: one ``"name": value`` line per covered component, then ``@signature-params``.

    ``values`` maps each component (lower-case header names and derived components) to its value."""
    lines = ['"%s": %s' % (name, values[name]) for name in components]
    lines.append('"@signature-params": %s' % params)
    return "\n".join(lines).encode()


def derived_values(method, url):
    """The derived components eBay covers: ``@method``, ``@path`` and ``@authority`` of the request URL."""
    parts = urlsplit(url)
    return {"@method": method.upper(), "@path": parts.path or "/", "@authority": parts.netloc.lower()}


def load_private_key(value):
    """A private key from the Key Management API: PEM, or the base64 DER it answers (PKCS #8)."""
    text = value.strip()
    if text.startswith("-----BEGIN"):
        return serialization.load_pem_private_key(text.encode(), password=None)
    return serialization.load_der_private_key(base64.b64decode(text), password=None)


def load_public_key(value):
    """A public key as PEM or base64 DER (SubjectPublicKeyInfo), as the Key Management API answers it."""
    text = value.strip()
    if text.startswith("-----BEGIN"):
        return serialization.load_pem_public_key(text.encode())
    return serialization.load_der_public_key(base64.b64decode(text))


def _sign(private_key, base):
    if isinstance(private_key, ed25519.Ed25519PrivateKey):
        return private_key.sign(base)
    if isinstance(private_key, rsa.RSAPrivateKey):
        return private_key.sign(base, padding.PKCS1v15(), hashes.SHA256())
    raise TypeError("eBay signs with Ed25519 or RSA keys only, not %s" % type(private_key).__name__)


def _verify(public_key, signature, base):
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        public_key.verify(signature, base)
    elif isinstance(public_key, rsa.RSAPublicKey):
        public_key.verify(signature, base, padding.PKCS1v15(), hashes.SHA256())
    else:
        raise MessageSignatureError("unsupported key type")


@dataclass(frozen=True)
class MessageSigner:
    """Signs requests with one keypair: ``private_key`` as the Key Management API gave it, ``jwe`` its public key."""

    private_key: str
    jwe: str

    def headers(self, method, url, body, created):
        """The headers to add to a request: x-ebay-signature-key, Content-Digest (with a body), Signature-Input
        and Signature. ``body`` is the exact bytes sent (b"" for none); ``created`` the Unix time."""
        added = {SIGNATURE_KEY_HEADER: self.jwe}
        components = [SIGNATURE_KEY_HEADER, "@method", "@path", "@authority"]
        if body:
            added["Content-Digest"] = content_digest(body)
            components.insert(0, "content-digest")
        params = signature_params(components, int(created))
        values = dict(derived_values(method, url), **{"content-digest": added.get("Content-Digest"),
                                                      SIGNATURE_KEY_HEADER: self.jwe})
        signature = _sign(load_private_key(self.private_key), signature_base(components, values, params))
        added["Signature-Input"] = "%s=%s" % (LABEL, params)
        added["Signature"] = "%s=:%s:" % (LABEL, base64.b64encode(signature).decode())
        return added


def verify(method, url, headers, body, public_key_for, now, max_age_seconds=None):
    """Check a signed request as eBay does; raise MessageSignatureError, else return the JWE that signed it.

    ``headers`` is a case-insensitive mapping; ``public_key_for(jwe)`` gives the public key (PEM or base64 DER) the
    JWE stands for, or None when the JWE is unknown; ``max_age_seconds`` bounds ``created`` (eBay refuses an
    invalid timestamp)."""
    jwe = headers.get(SIGNATURE_KEY_HEADER)
    if not jwe:
        raise MessageSignatureError("%s header missing" % SIGNATURE_KEY_HEADER)
    public_key = public_key_for(jwe)
    if public_key is None:
        raise MessageSignatureError("unknown %s" % SIGNATURE_KEY_HEADER)
    match = _INPUT.match(headers.get("Signature-Input") or "")
    if not match:
        raise MessageSignatureError("Signature-Input header missing or invalid")
    created = int(match.group("created"))
    if created > now + 60 or (max_age_seconds is not None and now - created > max_age_seconds):
        raise MessageSignatureError("Invalid timestamp in signature parameters")
    if body:
        _check_digest(headers.get("Content-Digest"), body)
    components = match.group("components").replace('"', "").split()
    values = dict(derived_values(method, url))
    for name in components:
        if not name.startswith("@"):
            if headers.get(name) is None:
                raise MessageSignatureError("Header %s not included in message" % name)
            values[name] = headers.get(name)
        elif name not in values:
            raise MessageSignatureError("Unknown pseudo header %s" % name)
    if body and "content-digest" not in components:
        raise MessageSignatureError("the signature does not cover content-digest")
    signature = _SIGNATURE.match(headers.get("Signature") or "")
    if not signature or signature.group("label") != match.group("label"):
        raise MessageSignatureError("Signature header missing or invalid")
    try:
        _verify(load_public_key(public_key), base64.b64decode(signature.group("value")),
                signature_base(components, values, match.group("params")))
    except InvalidSignature as exc:
        raise MessageSignatureError("Signature validation failed") from exc
    return jwe


def _check_digest(header, body):
    match = _DIGEST.match(header or "")
    if not match:
        raise MessageSignatureError("Content-Digest header missing or invalid")
    if match.group("value") != content_digest(body)[len("sha-256=:"):-1]:
        raise MessageSignatureError("Content-Digest value is invalid")
