"""The OAuth state's signer and checker (marketplace_core/oauth_state.py): binding, expiry, tampering."""
import pytest

from marketplace_core import oauth_state
from marketplace_core.oauth_state import StateExpired, StateNotYours, StateTampered, check, mint

SECRET = "database-secret"
SID = "browser-session-id-of-the-manager"
NOW = 1_800_000_000


def minted(**overrides):
    args = {"secret": SECRET, "purpose": "ebay_oauth", "account_id": 7, "user_id": 2, "session_key": SID,
            "now": NOW}
    args.update(overrides)
    return mint(**args)


def test_the_user_in_the_session_that_started_it_gets_the_account():
    state = check(SECRET, "ebay_oauth", minted(), 2, SID, NOW + 60)
    assert (state.account_id, state.user_id, state.expires_at) == (7, 2, NOW + oauth_state.STATE_TTL_SECONDS)
    assert state.nonce


def test_each_state_has_its_own_nonce():
    first, second = (check(SECRET, "ebay_oauth", minted(), 2, SID, NOW) for _ in range(2))
    assert first.nonce != second.nonce


def test_the_session_id_never_travels_in_the_state():
    assert SID not in minted()


def test_another_user_is_refused():
    with pytest.raises(StateNotYours):
        check(SECRET, "ebay_oauth", minted(), 3, SID, NOW)


def test_another_session_of_the_same_user_is_refused():
    with pytest.raises(StateNotYours):
        check(SECRET, "ebay_oauth", minted(), 2, "another-browser", NOW)
    with pytest.raises(StateNotYours):
        check(SECRET, "ebay_oauth", minted(), 2, "", NOW)


def test_expired_at_its_ttl():
    check(SECRET, "ebay_oauth", minted(), 2, SID, NOW + oauth_state.STATE_TTL_SECONDS - 1)
    with pytest.raises(StateExpired):
        check(SECRET, "ebay_oauth", minted(), 2, SID, NOW + oauth_state.STATE_TTL_SECONDS)


@pytest.mark.parametrize("index, value", [(0, "8"), (1, "3"), (2, str(NOW + 10**6)), (3, "AAAAAAAAAAAAAAAA"),
                                          (4, "other-nonce"), (5, "x")])
def test_any_altered_part_breaks_the_signature(index, value):
    parts = minted().split(".")
    parts[index] = value
    with pytest.raises(StateTampered):
        check(SECRET, "ebay_oauth", ".".join(parts), 2, SID, NOW)


@pytest.mark.parametrize("state", ["", None, "garbage", "1.x.y", "7.2.%d.tag.nonce" % NOW, "a.2.3.t.n.s"])
def test_malformed_states_are_refused(state):
    with pytest.raises(StateTampered):
        check(SECRET, "ebay_oauth", state, 2, SID, NOW)


def test_another_flow_or_database_cannot_use_it():
    with pytest.raises(StateTampered):
        check(SECRET, "shopee_auth", minted(), 2, SID, NOW)
    with pytest.raises(StateTampered):
        check("other-database-secret", "ebay_oauth", minted(), 2, SID, NOW)
