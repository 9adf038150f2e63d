"""Quotas per API client: requests a minute, counted in Redis, told in ``RateLimit-*`` headers.

Each Open311 key and each staff token has its own quota (admins set it per
client), so one partner's burst never uses up another's or the citizens'
per-address limit. A quota that cannot be counted (Redis away) lets the
request through: an outage of ours never refuses a client.
"""
import logging
import time
from dataclasses import dataclass

from flask import current_app, g
from limits import RateLimitItemPerMinute
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class QuotaState:
    """Where a client stands in the current minute."""

    limit: int
    remaining: int
    reset_seconds: int
    allowed: bool

    def headers(self):
        """The IETF RateLimit header fields (draft-ietf-httpapi-ratelimit-headers), and Retry-After once refused."""
        fields = {"RateLimit-Limit": str(self.limit), "RateLimit-Remaining": str(self.remaining),
                  "RateLimit-Reset": str(self.reset_seconds), "RateLimit-Policy": f"{self.limit};w={WINDOW_SECONDS}"}
        if not self.allowed:
            fields["Retry-After"] = str(self.reset_seconds)
        return fields


def counter():
    """The app's fixed-window counter on the rate-limit Redis (made once per app)."""
    found = current_app.extensions.get("tandem_quotas")
    if found is None:
        options = current_app.config.get("RATELIMIT_STORAGE_OPTIONS") or {}
        storage = storage_from_string(current_app.config["RATELIMIT_STORAGE_URI"], **options)
        found = current_app.extensions["tandem_quotas"] = FixedWindowRateLimiter(storage)
    return found


def spend(kind, client_id, per_minute):
    """Count one request of client ``kind``/``client_id`` against ``per_minute``; return its ``QuotaState``.

    Also keeps the state in ``g.quota`` for ``add_quota_headers``. Returns
    None, letting the request through, when quotas are off or Redis cannot count.
    """
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return None
    item = RateLimitItemPerMinute(max(int(per_minute), 1))
    try:
        allowed = counter().hit(item, "quota", kind, str(client_id))
        reset_time, remaining = counter().get_window_stats(item, "quota", kind, str(client_id))
    except (RedisError, OSError) as error:
        log.warning("quota of %s %s not counted (%s): request let through", kind, client_id, type(error).__name__)
        return None
    state = QuotaState(limit=item.amount, remaining=max(remaining, 0), allowed=allowed,
                       reset_seconds=max(int(reset_time - time.time() + 0.999), 0))
    g.quota = state
    return state


def add_quota_headers(response):
    """after_request: put the request's quota, if one was counted, in the response's headers."""
    state = g.get("quota")
    if state is not None:
        for name, value in state.headers().items():
            response.headers.setdefault(name, value)
    return response


def init_app(app):
    app.after_request(add_quota_headers)
