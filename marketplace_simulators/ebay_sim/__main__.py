"""``python -m marketplace_simulators.ebay_sim --db PATH --port N [--seed demo]``
``[--items N --orders M --seller-hub-listings K]``."""
import argparse
import contextlib
import json
import logging

from .server import SimulatorServer


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="ebay-sim", description="Local eBay sandbox simulator")
    parser.add_argument("--db", required=True, help="SQLite file holding the simulator state")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8790)
    parser.add_argument("--seed", choices=["demo"], help="seed the demo application and demo data")
    parser.add_argument("--items", type=int, default=0)
    parser.add_argument("--orders", type=int, default=0)
    parser.add_argument("--seller-hub-listings", type=int, default=0)
    parser.add_argument("--categories", choices=["demo", "full"])
    parser.add_argument("--accept-url", help="the demo RuName's accepted URL (OAuth redirect target)")
    return parser.parse_args(argv)


def main(argv=None):
    """Seed if asked, then serve until interrupted."""
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sim = SimulatorServer(args.db, host=args.host, port=args.port, accept_url=args.accept_url)
    if args.seed or args.items or args.orders or args.seller_hub_listings or args.categories or args.accept_url:
        summary = sim.seed(demo=args.seed == "demo", items=args.items, orders=args.orders,
                           seller_hub_listings=args.seller_hub_listings, categories=args.categories)
        print("seeded:", json.dumps(summary), flush=True)  # pylint: disable=print-used
    print(f"eBay simulator listening on {sim.base_url}", flush=True)  # pylint: disable=print-used
    try:
        with contextlib.suppress(KeyboardInterrupt):
            sim.serve_forever()
    finally:
        sim.stop()


if __name__ == "__main__":
    main()
