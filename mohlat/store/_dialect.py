"""The small seam where SQLite and PostgreSQL differ."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import BigInteger, String, bindparam, event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.sqltypes import NullType

__all__ = [
    "among_ids",
    "configure",
    "dangling_references",
    "engine_options",
    "integrity_violation",
    "is_conflict",
    "read_only_options",
    "rebuilding_tables",
    "sha256_hex",
]


#: the most requests one server process runs at once: the threads of anyio's default
#: limiter, which FastAPI runs the (synchronous) routes in
SERVER_THREADS = 40


def engine_options(url: str) -> dict[str, Any]:
    """Extra ``create_engine`` arguments for this URL's database.

    PostgreSQL: a pool of :data:`SERVER_THREADS` connections, opened as needed and
    all kept (no overflow). SQLAlchemy's default (5 kept, 10 more opened and closed
    again on demand) makes a busy server's threads queue for a connection, up to its
    30 s timeout, and open and close a new connection (a PostgreSQL process) for many
    requests. A one-shot command opens one or two. A server with ``--workers N`` may
    hold N times as many: PostgreSQL's ``max_connections`` must allow for them.
    """
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30}}
    return {"pool_pre_ping": True, "pool_size": SERVER_THREADS, "max_overflow": 0}


def read_only_options(engine: Engine) -> dict[str, Any]:
    """The execution options of a read-only transaction: marked for SQLite's "begin"
    hook below (no write lock); on PostgreSQL the driver's read-only mode, so that
    the transaction starts with ``BEGIN READ ONLY`` (no statement of its own)."""
    options: dict[str, Any] = {"mohlat_read_only": True}
    if engine.dialect.name == "postgresql":
        options["postgresql_readonly"] = True
    return options


def configure(engine: Engine) -> None:
    """Connection settings: for SQLite, WAL, foreign keys and write-ahead BEGIN IMMEDIATE."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # 128 MB of page cache (the default is 2 MB): a sweep batch rewrites thousands of
        # rows, and pages spilled mid-transaction are written and read twice
        cursor.execute("PRAGMA cache_size=-131072")
        # sorts (ranking numbers 100,000 cases with window functions) stay in memory
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()
        dbapi_connection.create_function("mohlat_sha256", 1, _sha256_hex, deterministic=True)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Take the write lock at the start, so a read-then-write transaction never
        # fails half-way on a lock upgrade; a read-only one takes none (WAL readers
        # never wait for the writer).
        read_only = connection.get_execution_options().get("mohlat_read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


@contextmanager
def rebuilding_tables(connection: Connection) -> Iterator[None]:
    """While migrations run on ``connection``: SQLite's foreign keys unenforced.

    SQLite changes a constraint by copying the table and dropping the old one, which
    enforced foreign keys refuse as soon as other rows point at it. The switch only
    works outside a transaction: enter this before the migration's transaction
    begins, and call :func:`dangling_references` before it commits.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def dangling_references(connection: Connection) -> list[str]:
    """The rows whose foreign keys point at nothing (SQLite; elsewhere none can be)."""
    if connection.dialect.name != "sqlite":
        return []
    found = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    return [f"{table} row {rowid} -> {parent}" for table, rowid, parent, _fk in found]


def _sha256_hex(text: str | None) -> str | None:
    return None if text is None else hashlib.sha256(text.encode()).hexdigest()


class sha256_hex(FunctionElement[str]):
    """SQL: the hex SHA-256 of a text's UTF-8 bytes, as ``hashlib`` gives it (SQLite:
    a function registered on each connection; PostgreSQL: its own ``sha256``)."""

    type = String()
    inherit_cache = True
    name = "sha256_hex"


@compiles(sha256_hex, "sqlite")
def _sha256_sqlite(element: sha256_hex, compiler: Any, **kw: Any) -> str:
    return f"mohlat_sha256({compiler.process(element.clauses, **kw)})"


@compiles(sha256_hex, "postgresql")
def _sha256_postgresql(element: sha256_hex, compiler: Any, **kw: Any) -> str:
    text = compiler.process(element.clauses, **kw)
    return f"encode(sha256(convert_to({text}, 'UTF8')), 'hex')"


#: up to this many ids, :func:`among_ids` is a plain ``IN`` with a parameter each
_FEW_IDS = 16


def among_ids(column: ColumnElement[Any], ids: Sequence[int]) -> ColumnElement[bool]:
    """SQL: ``column IN (ids)``. A few ids (one case's action): a plain ``IN``, whose
    statement SQLAlchemy compiles once and caches; many (a sweep batch): without one
    bind parameter per id (:class:`_AmongIds`), a statement compiled afresh each time
    but costing no per-id compiling or binding."""
    ids = [int(i) for i in ids]
    if 0 < len(ids) <= _FEW_IDS:
        return column.in_(ids)
    return _AmongIds(column, ids)


class _AmongIds(ColumnElement[bool]):
    """SQL: ``column IN (ids)`` without one bind parameter per id (PostgreSQL: one
    array parameter; SQLite: the integers in the text), so a statement naming
    thousands of cases costs no per-id compiling or binding."""

    inherit_cache = False
    # untyped: a Boolean would make SQLite compare it to 1, which defeats the index
    type = NullType()  # type: ignore[assignment]

    def __init__(self, column: ColumnElement[Any], ids: Sequence[int]) -> None:
        self.column = column
        self.ids = [int(i) for i in ids]


@compiles(_AmongIds, "sqlite")
def _among_ids_sqlite(element: _AmongIds, compiler: Any, **kw: Any) -> str:
    # Integers written into the SQL text (each went through int()): SQLite plans a
    # literal list as an index probe per id, which a bound JSON array does not get.
    column = compiler.process(element.column, **kw)
    return f"{column} IN ({','.join(map(str, element.ids))})" if element.ids else "0"


@compiles(_AmongIds, "postgresql")
def _among_ids_postgresql(element: _AmongIds, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    ids = compiler.process(bindparam(None, element.ids, type_=ARRAY(BigInteger())), **kw)
    return f"{column} = ANY({ids})"


def is_conflict(exc: DBAPIError) -> bool:
    """Whether the error is a lock or serialization conflict worth retrying."""
    message = str(exc.orig).lower()
    return any(
        token in message
        for token in (
            "database is locked",
            "could not serialize",
            "deadlock detected",
            "lock not available",
        )
    )


#: PostgreSQL's SQLSTATE of each integrity violation, by the kind of constraint
_PG_VIOLATIONS = {
    "23505": "unique",
    "23514": "check",
    "23503": "foreign key",
    "23502": "not null",
}
#: SQLite's message prefix of each integrity violation, by the kind of constraint
_SQLITE_VIOLATIONS = {
    "UNIQUE constraint failed": "unique",
    "CHECK constraint failed": "check",
    "FOREIGN KEY constraint failed": "foreign key",
    "NOT NULL constraint failed": "not null",
}


def integrity_violation(exc: IntegrityError) -> tuple[str, str]:
    """Which kind of constraint ``exc`` broke (``unique``, ``check``, ``foreign key``,
    ``not null`` or ``other``) and its name, or what the database says of it: SQLite
    names a CHECK, the columns of a unique or not-null one, and no foreign key."""
    orig = exc.orig
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate is not None:  # psycopg
        diag = getattr(orig, "diag", None)
        name = getattr(diag, "constraint_name", None) or ".".join(
            part
            for part in (getattr(diag, "table_name", None), getattr(diag, "column_name", None))
            if part
        )
        return _PG_VIOLATIONS.get(sqlstate, "other"), name or str(orig).splitlines()[0]
    message = str(orig).splitlines()[0]
    for prefix, kind in _SQLITE_VIOLATIONS.items():
        if message.startswith(prefix):
            return kind, message[len(prefix) :].lstrip(": ") or "unnamed"
    return "other", message
