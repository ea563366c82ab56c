"""A private PostgreSQL server for the tests: Debian's `postgresql` binaries, a cluster
made in a temporary directory, listening on a Unix socket there only (no TCP port, so
nothing else on the machine can reach it or clash with it). Each test gets a database
of its own, cloned from a template that is already migrated.

Started once per test session, when a test first asks for one (`server()`), and stopped
at exit. As root, the server runs as the `postgres` user (PostgreSQL refuses root).
"""

from __future__ import annotations

import atexit
import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile

_server: PostgresServer | None = None


def _bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (Debian package: postgresql)")
    return found[-1]


class PostgresServer:
    """`durable`: PostgreSQL's own defaults (fsync, synchronous_commit, full-page writes
    on), as the benchmarks need them; otherwise the tests' settings below."""

    def __init__(self, *, durable: bool = False) -> None:
        self.dir = tempfile.mkdtemp(prefix="modemgw-pg-")
        os.chmod(self.dir, 0o755)
        self.data = os.path.join(self.dir, "data")
        self.user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(self.dir, entry.pw_uid, entry.pw_gid)
        self._run([_bin("initdb"), "-D", self.data, "-A", "trust", "-U", self.user, "-E", "UTF8",
                   "--no-sync"])
        # Test settings: no fsync (a test database is thrown away; the gateway's durability
        # is tested against kill -9 of the gateway, which these do not touch).
        self._options = f"-k {self.dir} -c listen_addresses='' -c max_connections=400"
        if not durable:
            self._options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self.start_server()
        self._names = itertools.count(1)
        self._template: str | None = None

    def _run(self, argv: list[str]) -> None:
        if os.geteuid() == 0:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        subprocess.run(argv, check=True, capture_output=True)

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@/{database}?host={self.dir}"

    def _admin(self, sql: str) -> None:
        import psycopg
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)

    def database(self, *, migrated: bool = True) -> str:
        """A new, empty database's URL (migrated to the current schema unless told not)."""
        name = f"t{os.getpid()}_{next(self._names)}"
        if migrated:
            if self._template is None:
                self._template = f"template_{os.getpid()}"
                self._admin(f"CREATE DATABASE {self._template}")
                import psycopg

                from modemgw.store.postgres.schema import migrate
                with psycopg.connect(self.url(self._template), autocommit=True) as conn:
                    migrate(conn)
            self._admin(f"CREATE DATABASE {name} TEMPLATE {self._template}")
        else:
            self._admin(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop_server(self) -> None:
        """Stop the server (its databases kept), as a database that goes away."""
        self._run([_bin("pg_ctl"), "-D", self.data, "-w", "-m", "fast", "stop"])

    def start_server(self) -> None:
        self._run([_bin("pg_ctl"), "-D", self.data, "-w", "-l", os.path.join(self.dir, "log"),
                   "-o", self._options, "start"])

    def restart(self) -> None:
        """Stop and start the server (its databases kept): what a node sees when the
        database goes away for a moment. (Not `pg_ctl restart`: without `-l` the new
        server would keep our captured stdout open, and the call would never return.)"""
        self.stop_server()
        self.start_server()

    def stop(self) -> None:
        try:
            self._run([_bin("pg_ctl"), "-D", self.data, "-w", "-m", "immediate", "stop"])
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)


def server() -> PostgresServer:
    global _server
    if _server is None:
        _server = PostgresServer()
        atexit.register(_server.stop)
    return _server
