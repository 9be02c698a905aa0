"""Login rate limits: so many attempts per minute from one client address, and so many
for one account, whatever their outcome.

They come before the account lockout (which is the database's, the same for the CLI
and every server process) and slow down guessing across many accounts from one
address, or at one account from many. Kept in the server process's memory: with
``--workers N`` each worker counts on its own, so the limits are N times as loose.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from mohlat.web.problems import TooManyAttempts

__all__ = ["LoginLimits", "SlidingWindow"]

#: the most keys a window remembers before forgetting the least recent
MAX_KEYS = 100_000


@dataclass
class SlidingWindow:
    """At most ``limit`` events per key in any ``seconds``."""

    limit: int
    seconds: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _seen: dict[str, deque[float]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def wait_for(self, key: str) -> int:
        """Count one event for ``key``; 0 if allowed, else the seconds to wait (not counted)."""
        now = self.clock()
        with self._lock:
            times = self._seen.pop(key, None) or deque()
            while times and times[0] <= now - self.seconds:
                times.popleft()
            if len(times) >= self.limit:
                self._seen[key] = times
                return max(1, math.ceil(times[0] + self.seconds - now))
            times.append(now)
            self._seen[key] = times  # re-inserted: the dict stays least-recent first
            while len(self._seen) > MAX_KEYS:
                del self._seen[next(iter(self._seen))]
            return 0


@dataclass
class LoginLimits:
    """The limits a login or an activation goes through."""

    per_address: SlidingWindow = field(default_factory=lambda: SlidingWindow(30))
    per_account: SlidingWindow = field(default_factory=lambda: SlidingWindow(10))

    def check(self, *, address: str, username: str) -> None:
        """Refuse with :class:`TooManyAttempts` when either limit is reached."""
        wait = self.per_address.wait_for(address)
        if wait:
            raise TooManyAttempts("from this address", wait)
        wait = self.per_account.wait_for(username.strip().lower())
        if wait:
            raise TooManyAttempts(f"for {username.strip()!r}", wait)
