"""A throwaway PostgreSQL cluster for checking test expectations against the real thing.

Where: test support; used by the `pg_cluster` pytest fixture (session scope) and by the
`--engine postgres` option of the two runners' command lines.
The cluster lives in a fresh temporary folder: initdb with the C locale, UTF8, UTC and
trust auth; the server listens on a free loopback port and on a unix socket in that
folder; fsync is off. Every test file gets its own database (`new_database`), so files
never see each other's tables. initdb refuses to run as root: as root, the server
programs run as the `postgres` user through `runuser`.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from typing import Callable, Iterator

SERVER_OPTIONS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c timezone=UTC -c datestyle=ISO,MDY -c lc_messages=C -c max_connections=50"
)
START_SECONDS_MAX = 60  # A cold initdb plus start takes ~2 s; slow CI disks get headroom.


class PgUnavailable(Exception):
    """PostgreSQL binaries, psycopg or a usable user are missing: tests skip with this."""


def find_bindir() -> Path | None:
    """The folder holding initdb and pg_ctl, preferring PostgreSQL 15."""
    candidates = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if out.returncode == 0:
            candidates.append(out.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    initdb = shutil.which("initdb")
    if initdb:
        candidates.append(str(Path(initdb).parent))
    for folder in candidates:
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """A running server; `new_database()` hands out connection factories."""

    def __init__(self, base: Path, bindir: Path, port: int, run_as: list[str]):
        self.base = base
        self.bindir = bindir
        self.port = port
        self.run_as = run_as
        self.data = base / "data"
        self.database_count = 0
        self.running = False

    def conninfo(self, dbname: str) -> str:
        return f"host={self.base} port={self.port} user=postgres dbname={dbname}"

    def connect(self, dbname: str = "postgres"):
        """An autocommit psycopg connection, the way every runner expects it."""
        import psycopg

        return psycopg.connect(self.conninfo(dbname), autocommit=True)

    def new_database(self) -> Callable[[], object]:
        """Create an empty database and return a factory of connections to it."""
        self.database_count += 1
        name = f"test_{self.database_count}"
        with self.connect() as conn:
            conn.execute(f"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8'")
        return lambda: self.connect(name)

    def server_version(self) -> str:
        with self.connect() as conn:
            return conn.execute("SHOW server_version").fetchone()[0]

    def _run(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*self.run_as, *args], capture_output=True, text=True,
                              timeout=START_SECONDS_MAX)

    def start(self) -> None:
        out = self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres",
                        "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")
        if out.returncode != 0:
            raise PgUnavailable(f"initdb failed: {out.stderr.strip()}")
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 "
        out = self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-w",
                        "-t", str(START_SECONDS_MAX), "-l", str(self.base / "server.log"),
                        "-o", options + SERVER_OPTIONS, "start")
        if out.returncode != 0:
            log = (self.base / "server.log")
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise PgUnavailable(f"pg_ctl start failed: {out.stderr.strip()}\n{tail}")
        self.running = True

    def stop(self) -> None:
        if self.running:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast",
                      "-w", "stop")
            self.running = False
        shutil.rmtree(self.base, ignore_errors=True)


def _run_as_prefix(base: Path) -> list[str]:
    """[] when not root; else `runuser -u postgres --` after handing `base` to postgres."""
    if os.geteuid() != 0:
        return []
    runuser = shutil.which("runuser")
    try:
        user = pwd.getpwnam("postgres")
    except KeyError:
        raise PgUnavailable("running as root and there is no 'postgres' user") from None
    if runuser is None:
        raise PgUnavailable("running as root and runuser is missing")
    os.chown(base, user.pw_uid, user.pw_gid)
    return [runuser, "-u", "postgres", "--"]


def start_cluster() -> Cluster:
    """Start a fresh cluster or raise PgUnavailable saying why not."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise PgUnavailable("psycopg is not installed") from None
    bindir = find_bindir()
    if bindir is None:
        raise PgUnavailable("PostgreSQL server binaries (initdb, pg_ctl) not found")
    # A short path: the unix socket path must stay under ~100 bytes.
    base = Path(tempfile.mkdtemp(prefix="rowdb-pg-", dir="/tmp"))
    try:
        cluster = Cluster(base, bindir, free_port(), _run_as_prefix(base))
        cluster.start()
    except BaseException:
        shutil.rmtree(base, ignore_errors=True)
        raise
    return cluster


@contextlib.contextmanager
def temporary_cluster() -> Iterator[Cluster]:
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


try:
    import pytest
except ImportError:  # the command-line runners do not need pytest
    pytest = None

if pytest is not None:

    @pytest.fixture(scope="session")
    def pg_cluster():
        """One throwaway PostgreSQL cluster for the whole test session."""
        try:
            cluster = start_cluster()
        except PgUnavailable as exc:
            pytest.skip(f"PostgreSQL unavailable: {exc}")
        try:
            yield cluster
        finally:
            cluster.stop()
