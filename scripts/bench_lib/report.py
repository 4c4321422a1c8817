"""The printed table, and the JSON saved under docs/bench/ with the machine described."""
import datetime
import json
import os
import platform
import re
import subprocess


def machine():
    cpuinfo = open("/proc/cpuinfo").read()
    model = re.search(r"^model name\s*:\s*(.+)$", cpuinfo, re.M)
    meminfo = open("/proc/meminfo").read()
    mem_kb = int(re.search(r"^MemTotal:\s+(\d+)", meminfo, re.M).group(1))
    import odoo.release
    postgres = subprocess.run(["psql", "-d", "postgres", "-tAc", "SHOW server_version"], capture_output=True,
                              text=True).stdout.strip()
    return {"cpu": model.group(1).strip() if model else platform.processor(), "cores": os.cpu_count(),
            "memory_gb": round(mem_kb / 1024 / 1024, 1), "python": platform.python_version(),
            "postgresql": postgres, "odoo": odoo.release.version, "kernel": platform.release()}


def _fmt(value, digits=0):
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def _ratio(value, baseline):
    if value is None or not baseline:
        return "n/a"
    return f"{value / baseline:.3f}"


COLUMNS = ("scenario", "variant", "API calls", "wall s", "rows written", "peak RSS +MB", "calls/naive",
           "time/naive")


def table(results, baselines):
    """Rows of text; ``baselines``: scenario -> the naive Result (ratios are variant / naive)."""
    rows = []
    for r in results:
        base = baselines.get(r.scenario)
        rows.append((r.scenario, r.variant, _fmt(r.calls), _fmt(r.seconds, 1), _fmt(r.rows_written),
                     _fmt(r.peak_rss_mb, 1), _ratio(r.calls, base and base.calls) if base else "n/a",
                     _ratio(r.seconds, base and base.seconds) if base else "n/a"))
    widths = [max(len(COLUMNS[i]), *(len(row[i]) for row in rows)) for i in range(len(COLUMNS))]
    line = "  ".join("{:<%d}" % w if i < 2 else "{:>%d}" % w for i, w in enumerate(widths))
    out = [line.format(*COLUMNS), line.format(*("-" * w for w in widths))]
    out += [line.format(*row) for row in rows]
    return out


def save(results, args, notes, directory, engine_runs=()):
    """Write docs/bench/<date>-python-<n>core[-<scale>].json; returns its path."""
    info = machine()
    scale = "" if (args.listings, args.orders, args.notifications) == (10000, 2000, 5000) else \
        f"-{args.listings}l-{args.orders}o-{args.notifications}n"
    if args.only == "money":
        scale = f"-money-{args.money_orders}o-{args.money_payouts}p"
    elif args.only == "aftersale":
        scale = (f"-aftersale-{args.aftersale_orders}o-{args.aftersale_cancellations}c-{args.aftersale_returns}r-"
                 f"{args.aftersale_disputes}d")
    elif args.only != "backfill,stock,orders,webhook,engine":
        scale += "-" + args.only.replace(",", "+")
    name = f"{datetime.date.today().isoformat()}-python-{info['cores']}core{scale}.json"
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, name)
    with open(path, "w") as out:
        json.dump({"date": datetime.datetime.now().isoformat(timespec="seconds"), "machine": info,
                   "parameters": {"listings": args.listings, "orders": args.orders,
                                  "notifications": args.notifications, "webhook_clients": args.clients,
                                  "order_rounds": args.order_rounds, "naive_orders": not args.skip_naive_orders,
                                  "lanes": args.lanes, "latency_ms": args.latency_ms,
                                  "change_every_s": args.change_every,
                                  "publish": {"singles": args.publish_singles, "templates": args.publish_templates,
                                              "variants": args.publish_variants, "photos": args.publish_photos},
                                  "money": {"orders": args.money_orders, "refunds": args.money_refunds,
                                            "ad_fees": args.money_ad_fees, "payouts": args.money_payouts,
                                            "platforms": args.money_platforms},
                                  "aftersale": {"orders": args.aftersale_orders,
                                                "cancellations": args.aftersale_cancellations,
                                                "returns": args.aftersale_returns, "disputes": args.aftersale_disputes,
                                                "spread_s": args.aftersale_spread,
                                                "timeout_s": args.aftersale_timeout}},
                   "notes": notes, "results": [r.as_dict() for r in results],
                   "engine": list(engine_runs)}, out, indent=1)
        out.write("\n")
    return path
