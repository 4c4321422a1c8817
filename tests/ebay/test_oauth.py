"""OAuth against the simulator: consent, code exchange, refresh, application token."""
from urllib.parse import parse_qs, urlsplit

import pytest

from ebay_api import EbayAuthError, EbayConfig
from ebay_api.oauth import DEFAULT_SCOPES, OAuthClient
from ebay_api.tokens import token_set_from_response
from ebay_api.transport import build_session


def test_consent_url_uses_runame_and_space_separated_scopes():
    config = EbayConfig("my-app", "secret", ru_name="My_RuName", environment="production")
    url = OAuthClient(config, build_session()).consent_url("xyz")
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert (parts.netloc, parts.path) == ("auth.ebay.com", "/oauth2/authorize")
    assert query["redirect_uri"] == ["My_RuName"] and query["state"] == ["xyz"]
    assert query["response_type"] == ["code"] and query["client_id"] == ["my-app"]
    assert query["scope"][0].split(" ") == list(DEFAULT_SCOPES)
    assert "+" not in parts.query, "scopes are separated by %20"


def test_refresh_answer_keeps_the_refresh_token(ebay_sample):
    answer = ebay_sample("oauth-refreshToken-token.json")["response"]
    tokens = token_set_from_response(answer, 1000.0, DEFAULT_SCOPES, "refresh-1", 9999.0)
    assert (tokens.expires_at, tokens.refresh_token, tokens.refresh_token_expires_at) == (8200.0, "refresh-1", 9999.0)


def test_code_exchange_gives_user_and_refresh_tokens(connected_store):
    tokens = connected_store.load()
    assert tokens.access_token and tokens.refresh_token
    assert tokens.refresh_token_expires_at > tokens.expires_at


def test_refresh_gives_a_new_access_token(sim_config, connected_store):
    old = connected_store.load()
    new = OAuthClient(sim_config, build_session()).refresh(old.refresh_token, old.scopes, old.refresh_token_expires_at)
    assert new.access_token != old.access_token
    assert (new.refresh_token, new.refresh_token_expires_at) == (old.refresh_token, old.refresh_token_expires_at)


def test_refused_refresh_is_an_auth_error(sim_config, sim_controls):
    with pytest.raises(EbayAuthError) as caught:
        OAuthClient(sim_config, build_session()).refresh("v^1.1#not-a-refresh-token")
    assert caught.value.status == 400
    assert caught.value.errors[0]["error"] == "invalid_grant"
    assert caught.value.retryable is False


def test_application_token_is_cached(sim_config, sim_controls):
    oauth = OAuthClient(sim_config, build_session())
    sim_controls.post("calls/reset")
    first, second = oauth.application_token(), oauth.application_token()
    assert first == second
    assert sim_controls.calls("POST /identity/v1/oauth2/token") == 1
