"""The benchmark of the eBay connector (scripts/bench): harness, scenarios, naive baselines, report."""
