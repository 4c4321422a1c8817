"""The platform contract's pure half: what a missing method says, which capabilities exist."""
import pytest

from marketplace_core import platform


def test_a_missing_method_names_itself_its_contract_and_the_guide():
    message = str(platform.PlatformContractError("marketplace.platform.acme", "_push_ready_domain"))
    assert message.startswith("marketplace.platform.acme does not implement _push_ready_domain()")
    assert "listings whose shop can take a push now" in message
    assert "docs/adding-a-platform.md" in message
    assert isinstance(platform.PlatformContractError("m", "_job_handlers"), NotImplementedError)


def test_every_contract_method_is_either_required_or_optional():
    assert not set(platform.REQUIRED_METHODS) & set(platform.OPTIONAL_METHODS)


def test_an_unknown_capability_is_refused_rather_than_switching_a_flow_off():
    assert platform.check_capabilities([platform.STOCK_PUSH], "m") == frozenset({"stock_push"})
    with pytest.raises(ValueError, match="stock_psuh"):
        platform.check_capabilities(["stock_psuh"], "marketplace.platform.acme")
