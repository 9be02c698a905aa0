"""The database: engine, transactions, schema, and the one seam where database
errors become mohlat errors.

SQLite (``./mohlat.db``) is the embedded default; PostgreSQL is the multi-user
deployment. Everything dialect-specific lives in :mod:`mohlat.store._dialect`.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import inspect
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    OperationalError,
    ProgrammingError,
)
from sqlmodel import Session, SQLModel, create_engine

from mohlat.errors import (
    ConcurrentUpdate,
    ConstraintViolated,
    DatabaseBusy,
    DatabaseError,
    DatabaseNotReady,
    DatabaseUnavailable,
    Duplicate,
    InvalidInput,
    MohlatError,
)
from mohlat.store import _dialect, models  # noqa: F401  (models registers the tables)

__all__ = ["DEFAULT_URL", "Database", "Transaction", "database_url"]

log = logging.getLogger(__name__)

DEFAULT_URL = "sqlite:///mohlat.db"

#: what store functions take as their ``tx`` argument
Transaction = Session


def database_url(explicit: str | None = None) -> str:
    """The database URL: the one given, else ``MOHLAT_DB``, else ``./mohlat.db``."""
    url = explicit or os.environ.get("MOHLAT_DB") or DEFAULT_URL
    if "://" not in url:  # a bare path means a SQLite file
        url = f"sqlite:///{url}"
    return url


#: every error a database driver raises through SQLAlchemy
_DATABASE_ERRORS = (DBAPIError,)

#: what a database URL looks like, for messages
URL_FORMS = "a SQLite path (mohlat.db, sqlite:///PATH) or postgresql+psycopg://USER@HOST/DATABASE"


class Database:
    """A mohlat database reached by URL.

    ``must_exist``: a SQLite file that does not exist is refused with
    :class:`~mohlat.errors.DatabaseNotReady` instead of being created (every command
    but ``init`` and ``demo``), so a mistyped path leaves no empty file behind.
    """

    def __init__(
        self, url: str | None = None, *, echo: bool = False, must_exist: bool = False
    ) -> None:
        self.url = database_url(url)
        try:
            parsed = make_url(self.url)
            if parsed.get_backend_name() not in ("sqlite", "postgresql"):
                raise InvalidInput("database URL", safe_url(self.url), URL_FORMS)
            if must_exist and parsed.get_backend_name() == "sqlite":
                path = sqlite_path(self.url)
                if path is not None and not path.exists():
                    raise DatabaseNotReady(safe_url(self.url), missing=True)
            self.engine: Engine = create_engine(
                self.url, echo=echo, **_dialect.engine_options(self.url)
            )
        except (ArgumentError, NoSuchModuleError, ValueError) as exc:
            if isinstance(exc, MohlatError):
                raise
            raise InvalidInput("database URL", safe_url(self.url), URL_FORMS) from exc
        _dialect.configure(self.engine)
        # made once: an engine with options is a new object with its own event hooks
        self._read_only_engine = self.engine.execution_options(
            **_dialect.read_only_options(self.engine)
        )

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def create_schema(self) -> None:
        """Bring the database to the newest schema (Alembic migrations)."""
        from mohlat.store.migrate import upgrade

        with self._translating():
            upgrade(self.engine)

    def drop_everything(self) -> None:
        """Drop every mohlat table (for tests on a shared server)."""
        SQLModel.metadata.drop_all(self.engine)
        with self.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")

    def is_ready(self) -> bool:
        """Whether the mohlat tables exist."""
        with self._translating():
            return inspect(self.engine).has_table("cases")

    def schema_revisions(self) -> tuple[str | None, str | None]:
        """The schema revision the database is at, and the newest one mohlat has."""
        from mohlat.store.migrate import revisions

        with self._translating():
            return revisions(self.engine)

    @contextmanager
    def _translating(self) -> Iterator[None]:
        try:
            yield
        except _DATABASE_ERRORS as exc:
            raise _translated(exc, self.url) from exc

    @contextmanager
    def transaction(self, *, read_only: bool = False) -> Iterator[Transaction]:
        """A session in one transaction: committed on success, rolled back on any error.

        ``read_only``: a transaction that only reads (on SQLite it takes no write
        lock, so readers never wait for the scheduler; on PostgreSQL it begins READ
        ONLY). Database errors leave as mohlat errors (:func:`_translated`): a
        uniqueness violation as ``Duplicate``, any other broken constraint as
        ``ConstraintViolated`` naming it.
        """
        engine = self._read_only_engine if read_only else self.engine
        session = Session(engine, expire_on_commit=False)
        try:
            with session.begin():
                yield session
        except MohlatError:
            raise
        except _DATABASE_ERRORS as exc:
            raise _translated(exc, self.url) from exc
        finally:
            session.close()

    def backup(self, target: Path) -> None:
        """Copy this SQLite database to ``target`` as one consistent snapshot, while
        others keep writing (SQLite's online backup API)."""
        path = sqlite_path(self.url)
        if path is None:
            raise InvalidInput(
                "database", safe_url(self.url), "a SQLite database (PostgreSQL: pg_dump)"
            )
        import sqlite3

        try:
            source = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
            try:
                copy = sqlite3.connect(target)
                try:
                    source.backup(copy)
                finally:
                    copy.close()
            finally:
                source.close()
        except sqlite3.Error as exc:
            target.unlink(missing_ok=True)
            raise DatabaseUnavailable(safe_url(self.url), str(exc)) from exc

    def mark_as_demo(self) -> None:
        """Mark this SQLite file as the demo's own, so a later demo may replace it."""
        with self._translating(), self.engine.begin() as connection:
            connection.exec_driver_sql(f"PRAGMA application_id = {DEMO_APPLICATION_ID}")

    def integrity_problems(self) -> list[str]:
        """What the database engine's own integrity check reports (empty: none)."""
        if self.dialect != "sqlite":
            return []
        with self.transaction(read_only=True) as tx:
            rows = tx.connection().exec_driver_sql("PRAGMA integrity_check").all()
        found = [str(r[0]) for r in rows]
        return [] if found == ["ok"] else found

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _short(exc: Exception) -> str:
    return str(getattr(exc, "orig", exc)).splitlines()[0]


def safe_url(url: str) -> str:
    """``url`` with its password masked, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return url.split("@")[-1] if "@" in url else url


#: SQLite's ``application_id`` of a file ``mohlat demo`` made ("mohd")
DEMO_APPLICATION_ID = 0x6D6F6864


def is_demo_file(path: Path) -> bool:
    """Whether ``path`` is a SQLite file that ``mohlat demo`` made (it may replace it)."""
    import sqlite3

    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            row = connection.execute("PRAGMA application_id").fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return False
    return bool(row) and row[0] == DEMO_APPLICATION_ID


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL (None: not SQLite, or in memory)."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return None
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


#: SQLite's and PostgreSQL's words for a database that cannot be used, and what to say
_UNAVAILABLE = (
    ("unable to open database file", "cannot open the file (wrong path or no permission?)"),
    ("file is not a database", "the file is not a SQLite database"),
    ("database disk image is malformed", "the file is damaged: restore a backup"),
    ("readonly database", "the database is read-only here"),
    ("read-only file system", "the database is on a read-only file system"),
    ("disk is full", "the disk is full"),
    ("disk i/o error", "a disk I/O error"),
    ("connection refused", "no server answers at that address"),
    ("could not translate host name", "the server's host name is unknown"),
    ("does not exist", "the database does not exist on that server"),
    ("password authentication failed", "the server refused the user name or password"),
    ("no password supplied", "the server asks for a password"),
    ("timeout expired", "the server did not answer in time"),
    ("server closed the connection", "the server closed the connection"),
)


def _translated(exc: Exception, url: str) -> MohlatError:
    """The mohlat error a database error means: a missing schema, a conflict, a
    uniqueness violation, a value the database refuses, or a database that cannot be
    used at all (with the URL's password masked)."""
    message = str(getattr(exc, "orig", exc))
    lowered = message.lower()
    if isinstance(exc, IntegrityError):
        kind, constraint = _dialect.integrity_violation(exc)
        if kind == "unique":
            return Duplicate("record", constraint)
        return ConstraintViolated(kind, constraint)
    if isinstance(exc, DataError):
        return InvalidInput("value", _short(exc)[:120], "a value the database can store")
    missing_table = "relation" in message and "does not exist" in message
    if "no such table" in message or missing_table:
        return DatabaseNotReady(safe_url(url))
    if (
        "no such column" in message
        or "has no column" in message
        or ("column" in message and "does not exist" in message)
    ):
        return DatabaseNotReady(safe_url(url), outdated=True)
    if "database is locked" in lowered:
        return DatabaseBusy()
    if isinstance(exc, (OperationalError, ProgrammingError)) and _dialect.is_conflict(exc):
        return ConcurrentUpdate("the database")
    for token, meaning in _UNAVAILABLE:
        if token in lowered:
            return DatabaseUnavailable(safe_url(url), meaning)
    log.debug("database error", exc_info=True)
    return DatabaseError(message.splitlines()[0] if message else type(exc).__name__)
