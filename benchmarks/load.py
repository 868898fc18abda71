"""Load on a running `newsqa serve`: N concurrent clients asking for a bounded time.

    .venv/bin/python benchmarks/load.py --url http://127.0.0.1:7860 --clients 8 --seconds 60

Loopback only (the script refuses other hosts), bounded by --seconds and --max-requests.
Questions cycle through the sample issue's QA file. Reports requests, errors by
status, latency p50/p95/max, throughput, and the server process's memory before and
after (and every 10 s) when --pid is given. A measurement, not a test. Start the server
with the rate limit off (NEWSQA_RATE_LIMIT_PER_MINUTE=0): all clients here share one address.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parent.parent


def _rss_mb(pid: int | None) -> float | None:
    if not pid:
        return None
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


def _pct(vals: list[float], q: float) -> float:
    s = sorted(vals)
    return s[min(len(s) - 1, max(0, int(round(q / 100 * len(s) + 0.5)) - 1))] if s else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", default="http://127.0.0.1:7860")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--max-requests", type=int, default=20_000)
    ap.add_argument("--qa", type=Path, default=ROOT / "data" / "qa" / "hengshui-daily-2021-12-03-A1.qa.jsonl")
    ap.add_argument("--pid", type=int, help="server process id, to report its memory")
    args = ap.parse_args()
    if urlparse(args.url).hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("load.py: only loopback targets")

    questions = [json.loads(line)["question"] for line in args.qa.read_text(encoding="utf-8").splitlines()]
    lat: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    sent = [0]
    stop_at = time.time() + args.seconds
    rss_before = _rss_mb(args.pid)

    def client(i: int) -> None:
        with httpx.Client(timeout=120) as http:
            j = i
            while time.time() < stop_at:
                with lock:
                    if sent[0] >= args.max_requests:
                        return
                    sent[0] += 1
                q = questions[j % len(questions)]
                j += args.clients
                t = time.perf_counter()
                try:
                    r = http.post(f"{args.url}/api/ask", json={"question": q})
                    status = r.status_code
                except httpx.HTTPError as exc:
                    status = type(exc).__name__
                ms = (time.perf_counter() - t) * 1000
                with lock:
                    statuses[status] += 1
                    if status == 200:
                        lat.append(ms)

    timeline: list[tuple[float, float]] = []  # (seconds in, server RSS MB): is memory flat?

    def sample_memory() -> None:
        while time.time() < stop_at:
            rss = _rss_mb(args.pid)
            if rss is not None:
                timeline.append((round(time.time() - t0), round(rss)))
            time.sleep(10)

    t0 = time.time()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(args.clients)]
    if args.pid:
        threads.append(threading.Thread(target=sample_memory, daemon=True))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.time() - t0
    out = {
        "clients": args.clients, "seconds": round(wall, 1), "requests": sum(statuses.values()),
        "statuses": {str(k): v for k, v in statuses.items()}, "ok_per_s": round(len(lat) / wall, 2),
        "p50_ms": round(_pct(lat, 50), 1), "p95_ms": round(_pct(lat, 95), 1), "max_ms": round(max(lat or [0]), 1),
        "server_rss_mb_before": rss_before and round(rss_before), "server_rss_mb_after": _rss_mb(args.pid) and round(
            _rss_mb(args.pid)),
        "server_rss_mb_every_10s": [mb for _, mb in timeline],
    }
    print(json.dumps(out))


if __name__ == "__main__":
    main()
