"""The byte-bounded LRU that holds decoded nodes: eviction order, byte accounting, threads."""

from __future__ import annotations

import threading

from rowdb.storage.lru import ByteLRU


def test_evicts_least_recently_used_by_bytes():
    cache = ByteLRU(10, len)
    cache.put("a", b"xxxx")
    cache.put("b", b"yyyy")
    assert cache.get("a") == b"xxxx"  # a is now the most recent
    cache.put("c", b"zzzz")  # 12 bytes > 10: b goes
    assert "b" not in cache and cache.get("a") == b"xxxx" and cache.get("c") == b"zzzz"
    assert cache.bytes == 8 and len(cache) == 2


def test_replace_and_oversize_and_clear():
    cache = ByteLRU(10, len)
    cache.put("a", b"xx")
    cache.put("a", b"xxxxxx")
    assert cache.bytes == 6 and len(cache) == 1
    cache.put("big", b"x" * 11)  # larger than the whole cache: not kept, nothing evicted
    assert "big" not in cache and cache.get("a") == b"xxxxxx"
    assert cache.get("missing") is None
    cache.clear()
    assert cache.bytes == 0 and len(cache) == 0


def test_threads_keep_the_byte_count_exact():
    cache = ByteLRU(1000, len)

    def work(offset: int) -> None:
        for i in range(5000):
            cache.put((offset, i % 300), b"x" * (i % 17 + 1))
            cache.get((offset, (i * 7) % 300))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert cache.bytes == sum(len(cache.get(key)) for key in list(cache._data))
    assert cache.bytes <= 1000
