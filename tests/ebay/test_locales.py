"""The language of an eBay site (``ebay_api.locales``): one mapping, used by every call the client makes."""
import pytest

from ebay_api import EbayClient, EbayConfig, InMemoryTokenStore
from ebay_api.browse import BrowseAdapter
from ebay_api.locales import SITE_LANGUAGES, inventory_locale, site_language
from ebay_api.taxonomy import TaxonomyAdapter


@pytest.mark.parametrize(("site", "language"), [
    ("EBAY_US", "en-US"), ("EBAY_GB", "en-GB"), ("EBAY_DE", "de-DE"), ("EBAY_AT", "de-AT"), ("EBAY_FR", "fr-FR"),
    ("EBAY_IT", "it-IT"), ("EBAY_ES", "es-ES"), ("EBAY_NL", "nl-NL"), ("EBAY_AU", "en-AU"), ("EBAY_CA", "en-CA"),
])
def test_each_site_speaks_its_language(site, language):
    assert site_language(site) == language
    assert inventory_locale(language) == language.replace("-", "_")


def test_a_second_language_of_the_site_is_kept_and_a_foreign_one_is_not():
    assert site_language("EBAY_CA", "fr-CA") == "fr-CA"
    assert site_language("EBAY_BE", "fr-BE") == "fr-BE"
    assert site_language("EBAY_DE", "en-US") == "de-DE"


def test_an_unknown_site_is_refused():
    with pytest.raises(ValueError, match="EBAY_XX"):
        site_language("EBAY_XX")


def test_every_site_the_account_offers_has_a_language():
    from pathlib import Path
    source = (Path(__file__).parents[2] / "ebay_connector" / "models" / "marketplace_account.py").read_text()
    offered = set(__import__("re").findall(r'\("(EBAY_[A-Z]{2})", "eBay ', source))
    assert {"EBAY_GB", "EBAY_AU", "EBAY_CA", "EBAY_DE", "EBAY_AT"} <= offered <= set(SITE_LANGUAGES)


def test_the_config_takes_its_language_from_the_site():
    assert EbayConfig("app", "cert").content_language == "en-US"
    assert EbayConfig("app", "cert", marketplace_id="EBAY_DE").content_language == "de-DE"
    assert EbayConfig("app", "cert", marketplace_id="EBAY_CA", content_language="fr-CA").content_language == "fr-CA"
    assert EbayConfig("app", "cert", marketplace_id="EBAY_FR", content_language="en-US").content_language == "fr-FR"


class RecordingSession:
    """Stands for requests' session: records the headers of each call, answers 200 {}."""

    def __init__(self):
        self.headers = []

    def request(self, method, url, headers=None, **kwargs):
        import requests
        self.headers.append(dict(headers or {}))
        response = requests.Response()
        response.status_code, response._content = 200, b"{}"
        response.headers["Content-Type"] = "application/json"
        return response


def test_every_call_asks_for_the_sites_language_and_browse_for_the_searched_site(monkeypatch):
    session = RecordingSession()
    config = EbayConfig("app", "cert", marketplace_id="EBAY_DE", base_url="http://sim", budgets={})
    client = EbayClient(config, InMemoryTokenStore(), session=session)
    monkeypatch.setattr(client, "_token", lambda app_token, renew=False: "token")
    TaxonomyAdapter(client).get_default_category_tree_id()
    BrowseAdapter(client).search(marketplace_id="EBAY_AT", keywords="lampe")
    BrowseAdapter(client).search(keywords="lampe")
    assert [(h["X-EBAY-C-MARKETPLACE-ID"], h["Accept-Language"]) for h in session.headers] == [
        ("EBAY_DE", "de-DE"), ("EBAY_AT", "de-AT"), ("EBAY_DE", "de-DE")]
