"""Notification signature verification against eBay's genuine signed sample, and the challenge."""
import base64
import json

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from ebay_api.errors import EbayRequestError, SignatureError
from ebay_api.signature import SignatureVerifier, challenge_response


@pytest.fixture
def vector(ebay_sample):
    return ebay_sample("notification-signature-vector.json")


@pytest.fixture
def key_server(vector):
    """getPublicKey stand-in: knows the genuine key id only, counts its calls."""
    calls = []

    def fetch(kid):
        calls.append(kid)
        if kid != vector["kid"]:
            raise EbayRequestError("HTTP 404: key not found", status=404)
        return vector["getPublicKey_response"]

    fetch.calls = calls
    return fetch


def _header(**fields):
    return base64.b64encode(json.dumps(fields).encode()).decode()


def _decoded(header):
    return json.loads(base64.b64decode(header))


def test_genuine_notification_is_accepted(vector, key_server):
    verifier = SignatureVerifier(key_server)
    assert verifier.verify(vector["body_compact"].encode(), vector["header_X-EBAY-SIGNATURE"]) is None


@pytest.mark.parametrize("tamper", [
    lambda body: body.replace(b"test_user", b"test_usex"),
    lambda body: body + b" ",
    lambda body: json.dumps(json.loads(body), indent=1).encode(),
])
def test_tampered_body_is_rejected(vector, key_server, tamper):
    verifier = SignatureVerifier(key_server)
    with pytest.raises(SignatureError) as caught:
        verifier.verify(tamper(vector["body_compact"].encode()), vector["header_X-EBAY-SIGNATURE"])
    assert caught.value.reason == SignatureError.BAD_SIGNATURE


def test_unknown_key_id_is_rejected(vector, key_server):
    header = _decoded(vector["header_X-EBAY-SIGNATURE"])
    header["kid"] = "00000000-0000-0000-0000-000000000000"
    with pytest.raises(SignatureError) as caught:
        SignatureVerifier(key_server).verify(vector["body_compact"].encode(), _header(**header))
    assert caught.value.reason == SignatureError.UNKNOWN_KEY


def test_signature_from_another_key_is_rejected(vector, key_server):
    other = ec.generate_private_key(ec.SECP256R1())
    body = vector["body_compact"].encode()
    signature = base64.b64encode(other.sign(body, ec.ECDSA(hashes.SHA1()))).decode()
    header = _header(alg="ecdsa", kid=vector["kid"], signature=signature, digest="SHA1")
    with pytest.raises(SignatureError) as caught:
        SignatureVerifier(key_server).verify(body, header)
    assert caught.value.reason == SignatureError.BAD_SIGNATURE


@pytest.mark.parametrize("header", [
    "not base64 at all!",
    base64.b64encode(b"not json").decode(),
    _header(alg="ecdsa", kid="k", digest="SHA1"),
    _header(alg="rsa", kid="k", signature="AAAA", digest="SHA1"),
    _header(alg="ecdsa", kid="k", signature="AAAA", digest="SHA256"),
    "",
])
def test_malformed_header_is_rejected(vector, key_server, header):
    with pytest.raises(SignatureError) as caught:
        SignatureVerifier(key_server).verify(vector["body_compact"].encode(), header)
    assert caught.value.reason == SignatureError.MALFORMED_HEADER
    assert key_server.calls == []


def test_key_with_line_breaks_is_accepted_too(vector):
    key = serialization.load_der_public_key(base64.b64decode(
        vector["getPublicKey_response"]["key"].split("-----")[2]))
    pem = key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    verifier = SignatureVerifier(lambda kid: {"key": pem})
    assert verifier.verify(vector["body_compact"].encode(), vector["header_X-EBAY-SIGNATURE"]) is None


def test_challenge_response_is_sha256_of_code_token_endpoint():
    # printf '%s' 'abc123''my-verification-token-0123456789''https://shop.example.com/api/ebay/webhook' | sha256sum
    expected = "64896ad2e2eacafaaf064492173cb98481c7fad15588ca0669edf5fb54d5ef49"
    assert challenge_response(
        "abc123", "my-verification-token-0123456789", "https://shop.example.com/api/ebay/webhook"
    ) == expected
