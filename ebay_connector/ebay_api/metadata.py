"""Sell Metadata API adapter: which item conditions a category accepts.

Doc page: developer.ebay.com/api-docs/sell/metadata/resources/marketplace/methods/getItemConditionPolicies
(``GET /sell/metadata/v1/marketplace/{marketplace_id}/get_item_condition_policies?filter=categoryIds:{id|id}``,
user or application token) → ``itemConditionPolicies[]{categoryId, itemConditionRequired,
itemConditions[]{conditionId, conditionDescription}}``. The numeric ids map to the Inventory API's
ConditionEnum (``sync_core.publish.CONDITION_IDS``).
"""
from urllib.parse import quote

from .batching import check_batch

BASE = "/sell/metadata/v1/marketplace"
FAMILY = "metadata"
MAX_CATEGORY_IDS = 50  # UNCONFIRMED: eBay documents a list of ids, not its maximum length; stay modest


class MetadataAdapter:
    def __init__(self, client):
        self.client = client

    def get_item_condition_policies(self, marketplace_id, category_ids):
        """eBay's ``itemConditionPolicies[]`` for up to 50 categories of a site."""
        category_ids = check_batch(category_ids, MAX_CATEGORY_IDS, "getItemConditionPolicies")
        path = f"{BASE}/{quote(marketplace_id, safe='')}/get_item_condition_policies"
        params = {"filter": "categoryIds:{%s}" % "|".join(str(category_id) for category_id in category_ids)}
        body = self.client.request("GET", path, FAMILY, params=params, app_token=True).body or {}
        return body.get("itemConditionPolicies") or []
