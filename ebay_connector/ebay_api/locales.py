"""The language of an eBay site: what ``Content-Language`` / ``Accept-Language`` and an inventory item's ``locale``
say when the connector writes to (or reads from) a marketplace.

eBay ties the language of a request to the site it lists on: an offer for EBAY_DE is written in German (de-DE),
and its inventory item's ``locale`` is de_DE. Sources: developer.ebay.com/api-docs/static/rest-request-components.html
(HTTP request headers: Content-Language and Accept-Language per marketplace), .../sell/metadata/types/
bas:MarketplaceIdEnum (EBAY_CA speaks English unless fr-CA is asked for, EBAY_BE Dutch unless fr-BE) and the
Inventory API's LocaleEnum (.../user-guides/static/mip-user-guide/mip-enum-locale.html: en_US, en_CA, fr_CA,
en_GB, en_AU, de_AT, fr_BE, nl_BE, fr_FR, de_DE, it_IT, nl_NL, es_ES, de_CH, en_IE, pl_PL).
"""

# marketplace -> the languages eBay accepts on it, its default first
SITE_LANGUAGES = {
    "EBAY_US": ("en-US",),
    "EBAY_GB": ("en-GB",),
    "EBAY_AU": ("en-AU",),
    "EBAY_CA": ("en-CA", "fr-CA"),
    "EBAY_IE": ("en-IE",),
    "EBAY_DE": ("de-DE",),
    "EBAY_AT": ("de-AT",),
    "EBAY_CH": ("de-CH",),
    "EBAY_FR": ("fr-FR",),
    "EBAY_BE": ("nl-BE", "fr-BE"),
    "EBAY_IT": ("it-IT",),
    "EBAY_ES": ("es-ES",),
    "EBAY_NL": ("nl-NL",),
    "EBAY_PL": ("pl-PL",),
}


# marketplace -> the currency eBay lists and sells in on it (developer.ebay.com/api-docs/static/
# rest-request-components.html#marketplace-id-values; sell/account ...: an offer's price must be in it)
SITE_CURRENCIES = {
    "EBAY_US": "USD", "EBAY_GB": "GBP", "EBAY_AU": "AUD", "EBAY_CA": "CAD", "EBAY_IE": "EUR", "EBAY_DE": "EUR",
    "EBAY_AT": "EUR", "EBAY_CH": "CHF", "EBAY_FR": "EUR", "EBAY_BE": "EUR", "EBAY_IT": "EUR", "EBAY_ES": "EUR",
    "EBAY_NL": "EUR", "EBAY_PL": "PLN",
}

def site_language(marketplace_id, preferred=None):
    """The language tag (``de-DE``) to write to ``marketplace_id`` in: ``preferred`` when the site accepts it
    (``fr-CA`` on EBAY_CA), else the site's default. ValueError for a marketplace eBay gives no language."""
    try:
        languages = SITE_LANGUAGES[marketplace_id]
    except KeyError:
        raise ValueError(f"no eBay language known for marketplace {marketplace_id!r}; one of "
                         f"{', '.join(sorted(SITE_LANGUAGES))}") from None
    return preferred if preferred in languages else languages[0]


def inventory_locale(language):
    """The Inventory API's LocaleEnum value of a language tag: ``de-DE`` -> ``de_DE``."""
    return language.replace("-", "_")
