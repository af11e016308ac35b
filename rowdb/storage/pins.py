"""Pins: the versions sessions are reading right now, so that gc in any process keeps them.

Where: storage layer, beside kv.py. Sessions pin the root value they read (session.py);
a Writer that stores chunks before its commit pins the packs it writes into
(nodestore.py); gc (vc/maintenance.py) reads every live pin and keeps what they reach.

Each process publishes its pins in one small file, `<repo>/.rowdb/pins/<pid>`, rewritten
(temp file + rename, no fsync: pins die with the process) whenever they change. The lock
file `<repo>/.rowdb/gc.lock` orders pins against gc: publishing holds it shared, gc holds
it exclusive from reading the pins until its sweep is committed. So a pin published before
gc started is seen by it, and one published after gc finished is checked (`still_there`)
against what gc left; a version dropped in between is reported, never read half-gone.
Files of processes that no longer run are ignored and removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import threading
from collections.abc import Callable, Iterator

ROOT = "r"  # a root value hash: keeps its catalog and table trees
PACK = "p"  # a pack id: keeps every chunk in that pack and later ones

_counter = itertools.count(1)


def new_token() -> int:
    """A process-unique id for one holder of pins (a session, a writer)."""
    return next(_counter)


class Pins:
    """This process's pins on one store, and gc's view of every process's pins."""

    def __init__(self, store_dir: str):
        self.dir = os.path.join(store_dir, "pins")
        self.lock_path = os.path.join(store_dir, "gc.lock")
        self.pid = os.getpid()
        self._mine: dict[int, tuple[str, object]] = {}
        self._mutex = threading.Lock()
        self._released: list[int] = []  # from finalizers, which must not take the lock

    def pin(self, token: int, kind: str, value, still_there: Callable[[], bool]) -> bool:
        """Publish (kind, value) under `token`, replacing its previous pin; then return
        `still_there()`, evaluated while no gc can run: False means gc dropped it before
        the pin took effect, and the caller must read its ref again."""
        with self._mutex:
            changed = self._drain()
            if self._mine.get(token) == (kind, value):
                if changed:
                    self._publish_quietly()
                return still_there()
            with self._locked(fcntl.LOCK_SH):
                self._mine[token] = (kind, value)
                self._publish()
                return still_there()

    def unpin(self, token: int) -> None:
        with self._mutex:
            changed = self._drain()
            if self._mine.pop(token, None) is not None or changed:
                self._publish_quietly()

    def unpin_later(self, token: int) -> None:
        """For finalizers (they may run inside `pin`, on this very thread): the pin goes
        at this process's next pin operation, or at gc."""
        self._released.append(token)

    def _drain(self) -> bool:
        changed = False
        while self._released:
            changed |= self._mine.pop(self._released.pop(), None) is not None
        return changed

    def _publish_quietly(self) -> None:
        with contextlib.suppress(OSError):
            self._publish()

    def _publish(self) -> None:
        os.makedirs(self.dir, exist_ok=True)
        path = os.path.join(self.dir, str(self.pid))
        if not self._mine:
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
            return
        lines = [f"{kind} {value.hex() if kind == ROOT else value}\n"
                 for kind, value in set(list(self._mine.values()))]
        temp = f"{path}.{threading.get_ident()}.tmp"
        with open(temp, "w") as out:
            out.writelines(lines)
        os.replace(temp, path)

    @contextlib.contextmanager
    def _locked(self, mode: int) -> Iterator[None]:
        os.makedirs(os.path.dirname(self.lock_path), exist_ok=True)
        with open(self.lock_path, "a+") as handle:
            fcntl.flock(handle, mode)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[tuple[list[bytes], int | None]]:
        """For gc: hold off new pins and yield (pinned root values, lowest pinned pack id)
        over every running process, this one included."""
        with self._mutex, self._locked(fcntl.LOCK_EX):
            if self._drain():
                self._publish_quietly()
            roots: list[bytes] = []
            packs: list[int] = []
            for kind, value in self._read_all():
                if kind == ROOT:
                    roots.append(bytes.fromhex(value))
                elif kind == PACK:
                    packs.append(int(value))
            yield roots, min(packs, default=None)

    def _read_all(self) -> Iterator[tuple[str, str]]:
        try:
            names = os.listdir(self.dir)
        except FileNotFoundError:
            return
        for name in names:
            path = os.path.join(self.dir, name)
            if not name.isdigit():
                continue
            if not _running(int(name)):
                with contextlib.suppress(OSError):
                    os.remove(path)
                continue
            try:
                with open(path) as handle:
                    text = handle.read()
            except FileNotFoundError:
                continue
            for line in text.splitlines():
                kind, _, value = line.partition(" ")
                if kind in (ROOT, PACK) and value:
                    yield kind, value


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_registry: dict[tuple[str, int], Pins] = {}
_registry_lock = threading.Lock()


def pins_for(store_dir: str) -> Pins:
    """The one Pins object of this process for a store (a forked child gets its own)."""
    key = (os.path.realpath(store_dir), os.getpid())
    with _registry_lock:
        found = _registry.get(key)
        if found is None:
            found = _registry[key] = Pins(store_dir)
        return found
