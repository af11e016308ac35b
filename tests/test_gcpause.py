"""The collector pause around statements (rowdb/gcpause.py): nested and threaded pauses
share one pause, the collector comes back on after the last, an application's own
gc.disable() is respected, and pauses that overlap without end still collect cycles."""

from __future__ import annotations

import gc
import threading
import weakref

from rowdb import gcpause
from rowdb.gcpause import paused_gc


class Cycle:
    def __init__(self):
        self.me = self


def test_nested_pauses_restore_the_collector():
    assert gc.isenabled()
    with paused_gc():
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_an_application_that_disabled_gc_keeps_it_disabled():
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
    with paused_gc():
        pass
    assert gc.isenabled()


def test_overlapping_pauses_still_collect_cycles(monkeypatch):
    monkeypatch.setattr(gcpause, "_YOUNG_MAX", 20_000)
    outer_holds = threading.Event()
    done = threading.Event()

    def hold():  # one pause that lasts the whole test
        with paused_gc():
            outer_holds.set()
            done.wait(30)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert outer_holds.wait(10)
        probes = []
        for _ in range(60):
            with paused_gc():  # short pauses, always overlapping the long one
                cycle = Cycle()
                probes.append(weakref.ref(cycle))
                del cycle
                _ = [Cycle() for _ in range(1_000)]
        assert not gc.isenabled()  # the long pause still holds
        assert sum(probe() is None for probe in probes) > 30
    finally:
        done.set()
        holder.join()
    assert gc.isenabled()
