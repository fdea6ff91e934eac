"""What every input channel does with a user's message before Rasa handles it: a
per-sender rate limit, a length limit, and counting (Prometheus, served by
channels/metrics.py).

The rate limit is a token bucket per (channel, sender): in this Rasa process's memory by
default; with TRACKER_STORE=redis in the shared Redis (one Lua script, GCRA: the same
burst and refill), so a sender has one limit however many Rasa servers answer them.
(The `limits` library would do this, but every release since 2.5 needs packaging>=21, and
Rasa 3.6 pins packaging<21 in its environment.)
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from typing import TYPE_CHECKING, Any, Awaitable, Callable

from prometheus_client import Counter, Histogram

from bot import stores
from settings import get_settings

if TYPE_CHECKING:  # Rasa lives in the other environment; the limiter is tested from both
    from rasa.core.channels.channel import UserMessage

log = logging.getLogger(__name__)
TOO_FAST = "消息太频繁，请稍后再试。"
MAX_CHARS = 2000
TOO_LONG = f"消息太长了，请精简到{MAX_CHARS}字以内再发。"
MAX_SENDERS = 100_000  # buckets kept; the least recently seen are forgotten first

MESSAGES = Counter("tongban_messages_total", "User messages by channel and outcome", ["channel", "outcome"])
LATENCY = Histogram(
    "tongban_message_seconds", "Time for Rasa to handle one user message", ["channel"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30),
)


class RateLimiter:
    """Token bucket per sender: `burst` messages at once, refilled at `per_second`."""

    def __init__(self, burst: int, per_second: float) -> None:
        self.burst = burst
        self.per_second = per_second
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # sender → (tokens, at)

    def allow(self, sender: str) -> bool:
        now = time.monotonic()
        tokens, at = self._buckets.pop(sender, (float(self.burst), now))
        tokens = min(float(self.burst), tokens + (now - at) * self.per_second)
        allowed = tokens >= 1
        self._buckets[sender] = (tokens - 1 if allowed else tokens, now)
        while len(self._buckets) > MAX_SENDERS:
            self._buckets.popitem(last=False)
        return allowed


# GCRA: a sender's key holds the time at which their bucket would be full again ("theoretical
# arrival time"); a message is allowed if that lies less than a burst's worth ahead of now.
GCRA = """
local now = tonumber(ARGV[1])
local interval, burst = tonumber(ARGV[2]), tonumber(ARGV[3])
local tat = math.max(tonumber(redis.call('GET', KEYS[1]) or now), now)
if tat + interval - now > burst * interval + 1e-9 then return 0 end
redis.call('SET', KEYS[1], tat + interval, 'PX', math.ceil((tat + interval - now) * 1000) + 1000)
return 1
"""


class SharedRateLimiter(RateLimiter):
    """The same token bucket, kept in Redis for every Rasa server at once."""

    def __init__(self, burst: int, per_second: float, settings) -> None:
        super().__init__(burst, per_second)
        self._redis = stores.shared_redis(settings)
        self._prefix = stores.shared_key(settings, "ratelimit")
        self._script = self._redis.register_script(GCRA)

    def allow(self, sender: str) -> bool:
        try:
            return bool(self._script(keys=[f"{self._prefix}:{sender}"], args=[time.time(), 1 / self.per_second, self.burst]))
        except Exception:  # Redis is down: Rasa's own stores say so; do not refuse on top
            log.exception("rate limit store unavailable; message allowed")
            return True


def limiter_from_settings() -> RateLimiter:
    settings = get_settings()
    if stores.shared_redis(settings) is not None:
        return SharedRateLimiter(settings.rate_limit_burst, settings.rate_limit_per_second, settings)
    return RateLimiter(settings.rate_limit_burst, settings.rate_limit_per_second)


def intake(
    channel: str, on_new_message: Callable[["UserMessage"], Awaitable[Any]], limiter: RateLimiter
) -> Callable[["UserMessage"], Awaitable[None]]:
    """`on_new_message` behind the limits; refusals are answered on the message's own channel."""

    async def handle(message: "UserMessage") -> None:
        refusal = None
        if not limiter.allow(f"{channel}:{message.sender_id}"):
            refusal, outcome = TOO_FAST, "rate_limited"
            log.info("%s: sender %s over the rate limit", channel, message.sender_id)
        elif len(message.text or "") > MAX_CHARS:
            refusal, outcome = TOO_LONG, "too_long"
        if refusal:
            MESSAGES.labels(channel, outcome).inc()
            if message.output_channel is not None:
                await message.output_channel.send_text_message(message.sender_id, refusal)
            return
        started = time.perf_counter()
        try:
            await on_new_message(message)
        except Exception:
            MESSAGES.labels(channel, "failed").inc()
            raise
        finally:
            LATENCY.labels(channel).observe(time.perf_counter() - started)
        MESSAGES.labels(channel, "handled").inc()

    return handle
