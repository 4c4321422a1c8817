"""``python -m marketplace_simulators.shopee_sim --db FILE --port 8791 [--seed demo] [--orders N] [--push-url URL]``."""
import argparse
import contextlib
import logging

from .server import SimulatorServer


def main():
    parser = argparse.ArgumentParser(prog="shopee-sim", description="Local Shopee Open Platform v2 simulator")
    parser.add_argument("--db", required=True, help="SQLite file holding the state (kept across restarts)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8791)
    parser.add_argument("--seed", choices=["demo"], help="seed the demo partner, shops and catalogue")
    parser.add_argument("--orders", type=int, default=0, help="with --seed: that many READY_TO_SHIP orders")
    parser.add_argument("--items", type=int, default=0, help="with --seed: that many more items of 5 models each")
    parser.add_argument("--push-url", help="where signed pushes go (e.g. http://localhost:8069/api/shopee/webhook)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    server = SimulatorServer(args.db, args.host, args.port, push_url=args.push_url)
    if args.seed:
        server.seed(orders=args.orders, items=args.items)
    print(f"Shopee simulator on {server.base_url} (state in {args.db})", flush=True)  # pylint: disable=print-used
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
