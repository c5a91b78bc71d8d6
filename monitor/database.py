"""The two databases the store runs on: SQLite (the default, one file) and PostgreSQL.

The store writes one SQL dialect, the part SQLite and PostgreSQL share (``?`` placeholders, ``INSERT
... ON CONFLICT DO NOTHING``); the PostgreSQL side turns ``?`` into psycopg's ``%s``.  Rows answer to
a column's name and to its position, as ``sqlite3.Row`` does.  Each side applies its own schema
migrations, PostgreSQL's under an advisory lock so that replicas starting together do not race.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol

from monitor.errors import StorageError

_PLACEHOLDER = re.compile(r"\?")
_MIGRATION_LOCK = 0x6D6F6E69  # pg_advisory_xact_lock key: "moni"


class Row(Protocol):
    def __getitem__(self, key: int | str, /) -> Any: ...

    def keys(self) -> list[str]: ...


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


class Database(Protocol):
    dialect: str
    where: str  # for errors and logs: a path, or a URL without its password
    errors: tuple[type[BaseException], ...]  # what its driver raises
    lock: threading.RLock  # held for each statement, and by the store for a whole transaction
    statements: int        # sent so far (an executemany counts once): the database round trips, near enough

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor: ...

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None: ...

    def migrate(self, sqlite: Sequence[str], postgresql: Sequence[str]) -> None: ...

    def transaction(self) -> contextlib.AbstractContextManager[None]: ...

    def close(self) -> None: ...


def open_database(target: str | Path, *, readonly: bool = False) -> Database:
    """``sqlite:///path``, a plain path, or ``postgresql://user:password@host:port/name``."""
    text = str(target)
    if text.startswith(("postgresql://", "postgres://")):
        return PostgresDatabase(text)
    return SqliteDatabase(Path(text.removeprefix("sqlite:///")), readonly=readonly)


def redact_url(url: str) -> str:
    """A database URL without its password."""
    return re.sub(r"(//[^:/@]+):[^@]*@", r"\1:****@", url)


class SqliteDatabase:
    dialect = "sqlite"
    errors: tuple[type[BaseException], ...] = (sqlite3.Error, OSError)

    def __init__(self, path: Path, *, readonly: bool = False) -> None:
        self.where = str(path)
        self.lock = threading.RLock()
        self.statements = 0
        try:
            if readonly:
                self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5, check_same_thread=False)
            else:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._db.execute("PRAGMA foreign_keys=ON")
            self._db.row_factory = sqlite3.Row
        except (sqlite3.Error, OSError) as exc:
            raise StorageError(f"{path}: cannot open the state database: {exc}") from None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        with self.lock:
            self.statements += 1
            return self._db.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.lock:
            self.statements += 1
            self._db.executemany(sql, rows)

    def migrate(self, sqlite: Sequence[str], postgresql: Sequence[str]) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(sqlite):
            raise StorageError(f"{self.where}: schema version {version} is newer than this monitor knows")
        for number, script in enumerate(sqlite[version:], start=version + 1):
            self._db.executescript(f"BEGIN IMMEDIATE;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self._db.execute("BEGIN IMMEDIATE")  # the write lock at once: no deadlock between two writers
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def close(self) -> None:
        self._db.close()


class _PgRow(tuple[Any, ...]):
    """A row by position or by column name, like sqlite3.Row."""

    _names: dict[str, int]

    def __new__(cls, values: Sequence[Any], names: dict[str, int]) -> _PgRow:
        row = super().__new__(cls, values)
        row._names = names
        return row

    def __getitem__(self, key: Any) -> Any:
        return super().__getitem__(self._names[key] if isinstance(key, str) else key)

    def keys(self) -> list[str]:
        return list(self._names)


class PostgresDatabase:
    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        import psycopg  # only where PostgreSQL is configured

        self.where = redact_url(url)
        self.lock = threading.RLock()
        self.statements = 0
        self.errors: tuple[type[BaseException], ...] = (psycopg.Error,)
        try:
            self._db = psycopg.connect(url, autocommit=True, row_factory=_pg_rows, connect_timeout=10)
        except psycopg.Error as exc:
            raise StorageError(f"{self.where}: cannot open the state database: "
                               f"{redact_url(str(exc)).splitlines()[0]}") from None

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        with self.lock:
            self.statements += 1
            return self._db.execute(_PLACEHOLDER.sub("%s", sql), params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        with self.lock, self._db.cursor() as cursor:
            self.statements += 1
            cursor.executemany(_PLACEHOLDER.sub("%s", sql), rows)

    def migrate(self, sqlite: Sequence[str], postgresql: Sequence[str]) -> None:
        with self._db.transaction():  # one replica migrates; the others wait here, then find nothing to do
            self._db.execute(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")
            self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = self._db.execute("SELECT version FROM schema_version").fetchone()
            version = int(row[0]) if row else 0
            if version > len(postgresql):
                raise StorageError(f"{self.where}: schema version {version} is newer than this monitor knows")
            for script in postgresql[version:]:
                if script.strip():  # a version SQLite needed and a new PostgreSQL database has from the start
                    self._db.execute(script)
            self._db.execute("DELETE FROM schema_version")
            self._db.execute("INSERT INTO schema_version (version) VALUES (%s)", (len(postgresql),))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self._db.transaction():
            yield

    def close(self) -> None:
        self._db.close()


def _pg_rows(cursor: Any) -> Any:
    names = {column.name: i for i, column in enumerate(cursor.description or ())}
    return lambda values: _PgRow(values, names)
