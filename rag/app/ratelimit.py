"""Per-client rate limit for the HTTP API: a token bucket per client address.

Each client may send ``burst`` requests at once and then ``per_minute`` a
minute on average; beyond that it gets 429 with Retry-After. Buckets of clients
gone quiet are dropped, so memory stays bounded however many addresses call.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    def __init__(self, per_minute: float, burst: int | None = None, max_clients: int = 10_000,
                 clock=time.monotonic):
        self.rate = per_minute / 60.0
        self.burst = float(burst if burst is not None else max(1, int(per_minute // 4)))
        self.max_clients = max_clients
        self.clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def take(self, client: str) -> float:
        """0.0 if the request may go ahead, else the seconds until it would be allowed."""
        if not self.enabled:
            return 0.0
        now = self.clock()
        with self._lock:
            b = self._buckets.get(client)
            if b is None:
                if len(self._buckets) >= self.max_clients:
                    self._prune(now)
                b = self._buckets[client] = _Bucket(self.burst, now)
            b.tokens = min(self.burst, b.tokens + (now - b.updated) * self.rate)
            b.updated = now
            if b.tokens >= 1.0:
                b.tokens -= 1.0
                return 0.0
            return (1.0 - b.tokens) / self.rate

    def _prune(self, now: float) -> None:
        full = [k for k, b in self._buckets.items() if b.tokens + (now - b.updated) * self.rate >= self.burst]
        for k in full:  # a full bucket carries no state: dropping it changes nothing
            del self._buckets[k]
        if len(self._buckets) >= self.max_clients:  # all busy: drop the longest quiet
            for k, _ in sorted(self._buckets.items(), key=lambda kv: kv[1].updated)[: len(self._buckets) // 2]:
                del self._buckets[k]


def client_address(peer: str, forwarded_for: str | None, trusted: frozenset[str]) -> str:
    """Who a request is from: the peer, or, when the peer is a trusted proxy, the address it says it
    forwarded for (the last hop in X-Forwarded-For not itself a trusted proxy; a client can put
    anything at the front of that header, but not behind what the proxy appends)."""
    if peer not in trusted or not forwarded_for:
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if hop not in trusted:
            return hop
    return peer
