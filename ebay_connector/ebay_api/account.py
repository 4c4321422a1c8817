"""Sell Account API adapter: business policies (user token, scope sell.account or .readonly).

Doc pages (developer.ebay.com/api-docs/sell/account/resources/...): fulfillment_policy/methods/
getFulfillmentPolicies, payment_policy/methods/getPaymentPolicies, return_policy/methods/getReturnPolicies
(``?marketplace_id=`` required; the seller must be opted in to business policies). Answers:
``{"fulfillmentPolicies"|"paymentPolicies"|"returnPolicies": [...], "total"}``.
"""
BASE = "/sell/account/v1"
FAMILY = "account"
# policy kind -> (path, list key of the answer, id field of one policy)
POLICY_KINDS = {
    "fulfillment": ("/fulfillment_policy", "fulfillmentPolicies", "fulfillmentPolicyId"),
    "payment": ("/payment_policy", "paymentPolicies", "paymentPolicyId"),
    "return": ("/return_policy", "returnPolicies", "returnPolicyId"),
}


class AccountAdapter:
    def __init__(self, client):
        self.client = client

    def get_policies(self, kind, marketplace_id):
        """``[(policy id, name, raw policy)]`` of one kind (fulfillment, payment, return) for a site."""
        try:
            path, key, id_field = POLICY_KINDS[kind]
        except KeyError:
            raise ValueError(f"policy kind must be one of {sorted(POLICY_KINDS)}, got {kind!r}") from None
        body = self.client.request("GET", BASE + path, FAMILY, params={"marketplace_id": marketplace_id}).body or {}
        return [(str(policy[id_field]), policy.get("name") or str(policy[id_field]), policy)
                for policy in body.get(key) or []]
