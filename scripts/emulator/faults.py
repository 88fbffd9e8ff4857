"""Behaviour controls: deterministic fault, drop and slow draws, latency, the tenant's token bucket, and the
per-mailbox limits Graph documents for photo and contact operations."""

import collections
import hashlib
import math
import secrets
import threading
import time

from .common import GraphError

# https://learn.microsoft.com/graph/throttling-limits#outlook-service-limits: per app ID and mailbox, 4 concurrent
# requests, 10,000 requests in 10 minutes, 150 MB uploaded (PATCH, POST, PUT) in 5 minutes; profile photos and
# personal contacts are Outlook resources. The 429 body names the limit: "Application is over its MailboxConcurrency
# limit." (the wording clients match on), "... its Request limit.", "... its IncomingBytes limit.".
REQUEST_WINDOW = 600.0
BYTES_WINDOW = 300.0


class Faults:
    def __init__(self, opts):
        self.opts = opts
        self.lock = threading.Lock()
        self.seed = opts.random_seed if opts.random_seed is not None else secrets.randbits(63)
        self.chaos = opts.fault_rate > 0 or opts.drop_rate > 0 or opts.slow_rate > 0 or opts.jitter_ms > 0
        self.mailbox_limits = opts.mailbox_concurrency > 0 or opts.mailbox_requests > 0 or \
            opts.mailbox_upload_bytes > 0
        self.reset()

    def reset(self):
        with self.lock:
            self.buckets = {}
            self.draw_counts = {}
            self.inflight = collections.Counter()
            self.requests = collections.defaultdict(collections.deque)  # key -> arrival times
            self.uploads = collections.defaultdict(collections.deque)  # key -> (time, bytes)

    def draws(self, method, path):
        """Five uniform numbers for this request: a hash of (seed, method, path, how often that pair was seen), so
        outcomes are deterministic with concurrent clients and a retry draws anew."""
        key = (method, path)
        with self.lock:
            n = self.draw_counts.get(key, 0)
            self.draw_counts[key] = n + 1
        digest = hashlib.blake2b(f"{self.seed}|{method}|{path}|{n}".encode(), digest_size=40).digest()
        return [int.from_bytes(digest[i:i + 8], "big") / 2.0 ** 64 for i in range(0, 40, 8)]

    def tenant_throttle(self, claims, write):
        """Takes one token from the app's bucket; raises the 429 when it is empty. Returns headers for the answer:
        x-ms-resource-unit, and x-ms-throttle-limit-percentage once more than 80% of the bucket is used."""
        rate = self.opts.throttle_rps
        if rate <= 0:
            return []
        key = (claims["tid"], claims["appid"])
        burst = self.opts.throttle_burst or max(1.0, rate)
        now = time.monotonic()
        with self.lock:
            tokens, last = self.buckets.get(key, (burst, now))
            tokens = min(burst, tokens + (now - last) * rate)
            if tokens >= 1.0:
                self.buckets[key] = (tokens - 1.0, now)
                used = 1.0 - (tokens - 1.0) / burst
                if used > 0.8:
                    return [("x-ms-resource-unit", "1"), ("x-ms-throttle-limit-percentage", f"{used:.1f}")]
                return [("x-ms-resource-unit", "1")]
            self.buckets[key] = (tokens, now)
        retry = max(1, math.ceil((1.0 - tokens) / rate))
        raise GraphError(429, "TooManyRequests", f"Too many requests. Please retry after {retry} seconds.", [
            ("Retry-After", str(retry)),
            ("x-ms-throttle-scope", f"Tenant_Application/ReadWrite/{claims['appid']}/{claims['tid']}"),
            ("x-ms-throttle-information", "WriteLimitExceeded" if write else "ResourceUnitLimitExceeded"),
        ])

    def mailbox_enter(self, claims, mailbox, method, nbytes):
        """Admits one request of the caller's app to `mailbox` under the per-mailbox limits, or raises Graph's 429.
        Returns the key to pass to `mailbox_leave` when the answer is sent (None when no limit is set)."""
        if not self.mailbox_limits:
            return None
        opts = self.opts
        key = (claims["tid"], claims["appid"], mailbox)
        now = time.monotonic()
        upload = nbytes if method in ("PUT", "PATCH", "POST") else 0
        with self.lock:
            if opts.mailbox_concurrency > 0 and self.inflight[key] >= opts.mailbox_concurrency:
                raise throttled("MailboxConcurrency", 1)
            log = self.requests[key]
            while log and now - log[0] >= REQUEST_WINDOW:
                log.popleft()
            if opts.mailbox_requests > 0 and len(log) >= opts.mailbox_requests:
                raise throttled("Request", REQUEST_WINDOW - (now - log[0]))
            sent = self.uploads[key]
            while sent and now - sent[0][0] >= BYTES_WINDOW:
                sent.popleft()
            if opts.mailbox_upload_bytes > 0 and upload and \
                    sum(b for _, b in sent) + upload > opts.mailbox_upload_bytes:
                raise throttled("IncomingBytes", BYTES_WINDOW - (now - sent[0][0]) if sent else BYTES_WINDOW)
            log.append(now)
            if upload:
                sent.append((now, upload))
            self.inflight[key] += 1
        return key

    def mailbox_leave(self, key):
        if key is not None:
            with self.lock:
                self.inflight[key] -= 1


def throttled(limit, wait):
    return GraphError(429, "ApplicationThrottled", f"Application is over its {limit} limit.",
                      [("Retry-After", str(max(1, math.ceil(wait))))])
