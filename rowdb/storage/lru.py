"""A least-recently-used map bounded by the bytes its values take (or by their number).

Where: storage layer; NodeStore keeps decoded nodes in one, and the query layer its parse and
plan caches. They are looked up many times per query, so a hit is two C-level calls on an
OrderedDict (a cachetools LRUCache hit costs about four Python-level calls, measured 1.5 us
against 0.3 us).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable


def _one(value) -> int:
    return 1


class ByteLRU:
    """Values up to `max_bytes` in total, by `sizeof(value)` (each counts 1 without it); the
    least recently used go first. Safe to share between threads: lookups are single C calls
    under the GIL, and inserts and evictions take a lock."""

    def __init__(self, max_bytes: int, sizeof: Callable[[object], int] | None = None):
        self.max_bytes = max_bytes
        self.sizeof = sizeof or _one
        self.bytes = 0
        self._data: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable):
        """The value, marked as just used; None when absent."""
        value = self._data.get(key)
        if value is not None:
            try:
                self._data.move_to_end(key)
            except KeyError:  # evicted by another thread just now
                pass
        return value

    def put(self, key: Hashable, value) -> None:
        """Insert or replace; a value larger than the whole cache is not kept."""
        size = self.sizeof(value)
        if size > self.max_bytes:
            return
        with self._lock:
            data = self._data
            old = data.pop(key, None)
            if old is not None:
                self.bytes -= self.sizeof(old)
            data[key] = value
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, evicted = data.popitem(last=False)
                self.bytes -= self.sizeof(evicted)

    __setitem__ = put

    def clear(self) -> None:
        with self._lock:
            self._data.clear()
            self.bytes = 0

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._data
