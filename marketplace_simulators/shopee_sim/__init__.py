"""A local Shopee Open Platform v2 simulator (stdlib HTTP + SQLite), for tests, the demo and benchmarks."""
