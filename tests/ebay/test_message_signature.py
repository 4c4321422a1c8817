"""eBay's digital signatures for APIs (RFC 9421 message signatures, RFC 9530 Content-Digest).

The vectors are published ones: RFC 9530's digest of ``{"hello": "world"}``, RFC 9421 appendix B.2.6 (Ed25519
over a request's components) and the signed request of eBay's own verification service README (same Ed25519 test
key as the RFC). Ed25519 signatures are deterministic, so a signer that builds the base differently by one byte
fails them.
"""
import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from ebay_api.message_signature import (
    MessageSignatureError,
    MessageSigner,
    content_digest,
    load_private_key,
    requires_signature,
    signature_base,
    verify,
)

# RFC 9421 appendix B.1.4 "test-key-ed25519", also the Ed25519 test key of eBay's verification service
ED25519_PRIVATE = ("-----BEGIN PRIVATE KEY-----\n"
                   "MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF\n"
                   "-----END PRIVATE KEY-----\n")
ED25519_PUBLIC = "MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs="
EBAY_TEST_JWE = (
    "eyJ6aXAiOiJERUYiLCJlbmMiOiJBMjU2R0NNIiwidGFnIjoiSGdLcjNSSWFlZll0Mkd4blBUUTEwUSIsImFsZyI6IkEyNTZHQ01L"
    "VyIsIml2IjoiQTVOQXFYUXlITkNIT01GVSJ9.z3JcS0vvxrYboqpySAq_Znww-3V6AllxmJP5JEMkuLY.K1f4MVMEc8ylbfSS.fA"
    "SwJyMCk2tXZsNWk13IcuVgSWTOcynSdAoJrK4WApZANlxAP9J0qr0Jz_4aFldFDSZ5tfuxLGqzJmWU7CiZWwNjk2XoVy8q5ogMrF"
    "NFwFXP4SrX1XORhNLZPTyS5DEqLDPYn2NX944xendEwfcxxXsTSeNCUnmSyfitiscUC04GYOfn0UWQ2buSWx7Yod0IR2GtTGUsM9"
    "o3J-riuNDKhw.rRsWM1Sl_2stTnZLJkWVmQ"
)
HELLO = b'{"hello": "world"}'
URL = "https://apiz.ebay.com/sell/finances/v1/transaction"


class Headers(dict):
    """A case-insensitive header mapping, as HTTP servers give them."""

    def __init__(self, values):
        super().__init__({name.lower(): value for name, value in values.items()})

    def get(self, name, default=None):
        return super().get(name.lower(), default)


def _keys(jwe, public=ED25519_PUBLIC):
    return {jwe: public}.get


def test_content_digest_is_rfc_9530s_example():
    assert content_digest(HELLO) == "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"


def test_signature_base_and_ed25519_signature_match_rfc_9421_b_2_6():
    components = ["date", "@method", "@path", "@authority", "content-type", "content-length"]
    values = {"date": "Tue, 20 Apr 2021 02:07:55 GMT", "@method": "POST", "@path": "/foo",
              "@authority": "example.com", "content-type": "application/json", "content-length": "18"}
    params = ('("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;'
              'keyid="test-key-ed25519"')
    base = signature_base(components, values, params)
    assert base.decode().splitlines()[-1] == '"@signature-params": ' + params
    signature = load_private_key(ED25519_PRIVATE).sign(base)
    assert base64.b64encode(signature).decode() == (
        "wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==")


def test_signer_reproduces_ebays_sample_request():
    headers = MessageSigner(ED25519_PRIVATE, EBAY_TEST_JWE).headers(
        "POST", "http://localhost:8080/verifysignature", HELLO, 1659651955)
    assert headers == {
        "x-ebay-signature-key": EBAY_TEST_JWE,
        "Content-Digest": "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:",
        "Signature-Input": 'sig1=("content-digest" "x-ebay-signature-key" "@method" "@path" "@authority");'
                           'created=1659651955',
        "Signature": "sig1=:uunxYrXKC8KaoupD5D1DKdmQmrOhz6b4Xbhb3o9d4x4xFIpg++XzEZztOyeOI59rMMjM3NIcFgxBH0c1ckpfBw==:",
    }


def test_a_request_without_body_covers_no_digest():
    headers = MessageSigner(ED25519_PRIVATE, "jwe").headers("GET", URL + "?limit=20", b"", 1700000000)
    assert "Content-Digest" not in headers
    assert headers["Signature-Input"] == ('sig1=("x-ebay-signature-key" "@method" "@path" "@authority");'
                                          'created=1700000000')
    assert verify("GET", URL + "?limit=20", Headers(headers), b"", _keys("jwe"), now=1700000010) == "jwe"


def test_key_management_base64_der_keys_sign_like_pem():
    der = base64.b64encode(load_private_key(ED25519_PRIVATE).private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())).decode()
    assert MessageSigner(der, "j").headers("POST", URL, HELLO, 1) == MessageSigner(ED25519_PRIVATE, "j").headers(
        "POST", URL, HELLO, 1)


@pytest.mark.parametrize("change, reason", [
    (lambda h, b, u: (h, b + b" ", u), "Content-Digest value is invalid"),
    (lambda h, b, u: (h, b, u.replace("/transaction", "/payout")), "Signature validation failed"),
    (lambda h, b, u: (h, b, u.replace("apiz.ebay.com", "evil.example")), "Signature validation failed"),
    (lambda h, b, u: ({k: v for k, v in h.items() if k != "Signature"}, b, u), "Signature header missing or invalid"),
    (lambda h, b, u: ({k: v for k, v in h.items() if k != "x-ebay-signature-key"}, b, u),
     "x-ebay-signature-key header missing"),
    (lambda h, b, u: (dict(h, **{"x-ebay-signature-key": "forged"}), b, u), "unknown x-ebay-signature-key"),
    (lambda h, b, u: ({k: v for k, v in h.items() if k != "Content-Digest"}, b, u),
     "Content-Digest header missing or invalid"),
])
def test_verify_refuses_what_ebay_refuses(change, reason):
    signed = MessageSigner(ED25519_PRIVATE, "jwe").headers("POST", URL, HELLO, 1700000000)
    headers, body, url = change(signed, HELLO, URL)
    with pytest.raises(MessageSignatureError) as caught:
        verify("POST", url, Headers(headers), body, _keys("jwe"), now=1700000000)
    assert caught.value.reason == reason


def test_verify_refuses_another_keys_signature_and_a_stale_timestamp():
    other = ed25519.Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    forged = MessageSigner(other, "jwe").headers("POST", URL, HELLO, 1700000000)
    with pytest.raises(MessageSignatureError, match="Signature validation failed"):
        verify("POST", URL, Headers(forged), HELLO, _keys("jwe"), now=1700000000)
    signed = MessageSigner(ED25519_PRIVATE, "jwe").headers("POST", URL, HELLO, 1700000000)
    with pytest.raises(MessageSignatureError, match="Invalid timestamp"):
        verify("POST", URL, Headers(signed), HELLO, _keys("jwe"), now=1700000000 + 3600, max_age_seconds=300)


def test_rsa_keys_are_eBays_fallback():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    signed = MessageSigner(private, "rsa-jwe").headers("POST", URL, HELLO, 1700000000)
    assert verify("POST", URL, Headers(signed), HELLO, _keys("rsa-jwe", public), now=1700000000) == "rsa-jwe"


@pytest.mark.parametrize("method, path, signed", [
    ("GET", "/sell/finances/v1/transaction", True),
    ("GET", "/sell/finances/v1/payout/5000000001", True),
    ("POST", "/sell/fulfillment/v1/order/12-34/issue_refund", True),
    ("POST", "/post-order/v2/cancellation", True),
    ("POST", "/post-order/v2/cancellation/5000012345/approve", True),
    ("POST", "/post-order/v2/cancellation/5000012345/reject", False),
    ("POST", "/post-order/v2/return/5000012345/decide", True),
    ("POST", "/post-order/v2/return/5000012345/issue_refund", True),
    ("POST", "/post-order/v2/casemanagement/5000012345/issue_refund", True),
    ("GET", "/sell/fulfillment/v1/order/12-34", False),
    ("POST", "/sell/fulfillment/v1/order/12-34/shipping_fulfillment", False),
])
def test_the_calls_ebays_guide_lists_are_signed(method, path, signed):
    assert requires_signature(method, path) is signed
