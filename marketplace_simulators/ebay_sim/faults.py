"""Fault injection and call counting, both in memory (they describe a test run, not eBay state).

Faults draw from a ``random.Random(random_seed)`` so a benchmark that sets the same seed sees the same
sequence of 429s and 5xx. They apply to eBay endpoints only, never to ``/_sim/*`` or the consent page.
``timeout_after_commit`` is not random: the next ``times`` matching requests are processed and then
never answered, like an eBay that applied a call whose answer the client never got.
"""
import fnmatch
import random
import threading
from collections import Counter

DEFAULT_TOKEN_TTL = 7200


class Faults:
    """Current fault settings (``POST /_sim/faults``); ``{}`` resets to no faults and the default token TTL."""

    def __init__(self):
        self._lock = threading.Lock()
        self.configure({})

    def configure(self, settings):
        """Replace the settings; unknown keys are rejected so a typo does not silently disable a test."""
        allowed = {"rate_429", "rate_5xx", "latency_ms", "retry_after", "token_ttl", "random_seed",
                   "timeout_after_commit"}
        unknown = set(settings) - allowed
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        latency = settings.get("latency_ms") or [0, 0]
        if isinstance(latency, (int, float)):
            latency = [latency, latency]
        with self._lock:
            self.rate_429 = float(settings.get("rate_429", 0))
            self.rate_5xx = float(settings.get("rate_5xx", 0))
            self.latency_ms = (float(latency[0]), float(latency[1]))
            self.retry_after = settings.get("retry_after")
            self.token_ttl = int(settings.get("token_ttl", DEFAULT_TOKEN_TTL))
            self.random_seed = settings.get("random_seed")
            self._rng = random.Random(self.random_seed)
            self.timeout_after_commit = _unanswered_rule(settings.get("timeout_after_commit"))

    def settings(self):
        """The settings as JSON (echoed by ``/_sim/faults``)."""
        return {"rate_429": self.rate_429, "rate_5xx": self.rate_5xx, "latency_ms": list(self.latency_ms),
                "retry_after": self.retry_after, "token_ttl": self.token_ttl, "random_seed": self.random_seed,
                "timeout_after_commit": self.timeout_after_commit}

    def draw(self):
        """Decide one request's fate: ``(delay_seconds, fault)`` with fault ``"429"``, ``"5xx"`` or ``None``.

        Always consumes the same number of random draws, so the sequence depends only on the seed and the
        number of calls.
        """
        with self._lock:
            latency = self._rng.uniform(*self.latency_ms) / 1000.0
            roll = self._rng.random()
        if roll < self.rate_429:
            return latency, "429"
        if roll < self.rate_429 + self.rate_5xx:
            return latency, "5xx"
        return latency, None


    def take_unanswered(self, method, path):
        """Whether this processed request must go unanswered (``timeout_after_commit``); each match
        uses up one of the rule's ``times``."""
        with self._lock:
            rule = self.timeout_after_commit
            if not rule or rule["times"] <= 0 or rule["method"] != method or not fnmatch.fnmatchcase(
                    path, rule["path"]):
                return False
            rule["times"] -= 1
            return True


def _unanswered_rule(setting):
    """``{"path": glob, "method": "POST", "times": 1}`` checked, with its defaults; None when unset."""
    if not setting:
        return None
    if not isinstance(setting, dict) or not isinstance(setting.get("path"), str):
        raise ValueError('timeout_after_commit must be {"path": "<glob>", "method": "POST", "times": N}')
    return {"path": setting["path"], "method": str(setting.get("method", "POST")).upper(),
            "times": int(setting.get("times", 1))}


class CallCounter:
    """Calls received per endpoint (``GET /_sim/calls``), keyed ``"METHOD /path/{id}"``."""

    def __init__(self):
        self._lock = threading.Lock()
        self._counts = Counter()

    def record(self, key):
        """Count one call."""
        with self._lock:
            self._counts[key] += 1

    def snapshot(self):
        """``{"total": n, "calls": {...}}``."""
        with self._lock:
            return {"total": sum(self._counts.values()), "calls": dict(self._counts)}

    def reset(self):
        """Zero every counter."""
        with self._lock:
            self._counts.clear()
