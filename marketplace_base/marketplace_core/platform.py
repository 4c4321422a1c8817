"""The contract between marketplace_base and a connector (docs/adding-a-platform.md), without Odoo.

The Odoo half is the AbstractModel ``marketplace.platform``: a connector declares its platform as an
AbstractModel ``marketplace.platform.<code>`` inheriting it, and the base asks that model, found by the platform's
code, whatever it needs to know of one platform (job handlers, which listings take pushes, capabilities). This
module names the required and optional methods, the capabilities and the error a missing method raises.
"""

# What a platform may declare in ``_capabilities()``, each a flow the base starts for it:
STOCK_PUSH = "stock_push"  # stock moves note the platform's listings and queue its push_stock job
PRICE_PUSH_ON_CHANGE = "price_push_on_change"  # a product's new sale price queues its push_price job at once
RETURN_LABEL = "return_label"  # the seller's own return label goes to the marketplace (send_return_label)
CAPABILITIES = frozenset({STOCK_PUSH, PRICE_PUSH_ON_CHANGE, RETURN_LABEL})

# method -> what it answers (the messages of PlatformContractError and the guide's table say the same)
REQUIRED_METHODS = {
    "_job_handlers": "job type -> JobHandler(service class, lane) of the platform's own jobs",
    "_push_ready_domain": "domain on marketplace.product.binding: listings whose shop can take a push now "
                          "(connected, authorized)",
}
OPTIONAL_METHODS = {
    "_push_listing_domain": "domain on marketplace.product.binding: which listings accept stock and price "
                            "pushes at all (default: every bound listing)",
    "_push_adapters": "job type (push_stock, push_price) -> the platform's PushAdapter class (default: none; "
                      "required to take pushes)",
    "_capabilities": "frozenset of CAPABILITIES (default: none)",
    "_order_ids_payload_key": "the pull_orders payload key that lists the order numbers to import (default: the "
                              "payload_key of its pull_orders service; None: no import by number)",
}


class PlatformContractError(NotImplementedError):
    """A connector's platform lacks a method the contract requires: a programming error, said with the fix."""

    def __init__(self, platform_model, method):
        super().__init__("%s does not implement %s(), which the platform contract requires here (%s): see "
                         "docs/adding-a-platform.md" % (platform_model, method,
                                                        {**REQUIRED_METHODS, **OPTIONAL_METHODS}.get(method, "?")))


def check_capabilities(capabilities, platform_model):
    """``capabilities`` as a frozenset, refusing names the base does not know (a typo would silently switch
    a flow off)."""
    capabilities = frozenset(capabilities)
    unknown = capabilities - CAPABILITIES
    if unknown:
        raise ValueError("%s declares unknown capabilities %s (known: %s)"
                         % (platform_model, sorted(unknown), sorted(CAPABILITIES)))
    return capabilities
