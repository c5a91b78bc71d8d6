"""A PostgreSQL server of one's own, for tests and benchmarks: Debian's binaries, `initdb` into a temp
folder, a loopback port, trust authentication, gone when the block ends."""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class PostgresMissing(RuntimeError):
    """PostgreSQL's server binaries are not installed (`make test` installs Debian's where it can)."""


@dataclass
class PostgresServer:
    base: str                 # postgresql://postgres@127.0.0.1:PORT/
    databases: int = 0

    def new_database(self, template: str | None = None) -> str:
        """A new, empty database (or a copy of ``template``, a database name); returns its URL."""
        import psycopg

        self.databases += 1
        name = f"t{self.databases}"
        with psycopg.connect(self.base + "postgres", autocommit=True) as db:
            db.execute(f"CREATE DATABASE {name}" + (f" TEMPLATE {template}" if template else ""))
        return self.base + name


@contextlib.contextmanager
def local_postgres() -> Iterator[PostgresServer]:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise PostgresMissing("PostgreSQL is not installed (make test installs Debian's postgresql where it can)")
    bin_dir = Path(found[-1]).parent
    data = Path(tempfile.mkdtemp(prefix="monitor-pg-"))  # outside pytest's folders, which only root may enter
    as_user: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root: the Debian package's postgres user runs it
        shutil.chown(data, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run([*as_user, str(bin_dir / "initdb"), "-D", str(data / "db"), "-U", "postgres", "--auth=trust",
                    "--no-sync"], check=True, capture_output=True)
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {data} -c fsync=off -c max_connections=200"
    subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-o", options, "-l",
                    str(data / "log"), "-w", "start"], check=True, capture_output=True)
    try:
        yield PostgresServer(f"postgresql://postgres@127.0.0.1:{port}/")
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data / "db"), "-m", "immediate", "stop"],
                       capture_output=True)
        shutil.rmtree(data, ignore_errors=True)
