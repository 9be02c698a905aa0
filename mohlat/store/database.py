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

from sqlalchemy import inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError
from sqlmodel import Session, SQLModel, create_engine

from mohlat.errors import (
    ConcurrentUpdate,
    ConstraintViolated,
    DatabaseError,
    DatabaseNotReady,
    Duplicate,
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


class Database:
    """A mohlat database reached by URL."""

    def __init__(self, url: str | None = None, *, echo: bool = False) -> None:
        self.url = database_url(url)
        self.engine: Engine = create_engine(
            self.url, echo=echo, **_dialect.engine_options(self.url)
        )
        _dialect.configure(self.engine)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def create_schema(self) -> None:
        """Bring the database to the newest schema (Alembic migrations)."""
        from mohlat.store.migrate import upgrade

        upgrade(self.engine)

    def drop_everything(self) -> None:
        """Drop every mohlat table (for tests on a shared server)."""
        SQLModel.metadata.drop_all(self.engine)
        with self.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")

    def is_ready(self) -> bool:
        """Whether the mohlat tables exist."""
        return inspect(self.engine).has_table("cases")

    @contextmanager
    def transaction(self) -> Iterator[Transaction]:
        """A session in one transaction: committed on success, rolled back on any error.

        Database errors leave as mohlat errors: a missing schema as
        ``DatabaseNotReady``, a lock or serialization conflict as ``ConcurrentUpdate``,
        a uniqueness violation as ``Duplicate``, any other broken constraint as
        ``ConstraintViolated`` naming it.
        """
        session = Session(self.engine, expire_on_commit=False)
        try:
            with session.begin():
                yield session
        except MohlatError:
            raise
        except IntegrityError as exc:
            kind, constraint = _dialect.integrity_violation(exc)
            if kind == "unique":
                raise Duplicate("record", constraint) from exc
            raise ConstraintViolated(kind, constraint) from exc
        except (OperationalError, ProgrammingError) as exc:
            message = str(exc.orig)
            missing_table = "relation" in message and "does not exist" in message
            if "no such table" in message or missing_table:
                raise DatabaseNotReady(_safe_url(self.url)) from exc
            if (
                "no such column" in message
                or "has no column" in message
                or ("column" in message and "does not exist" in message)
            ):
                raise DatabaseNotReady(_safe_url(self.url), outdated=True) from exc
            if _dialect.is_conflict(exc):
                raise ConcurrentUpdate("the database") from exc
            log.debug("database error", exc_info=True)
            raise DatabaseError(message.splitlines()[0]) from exc
        finally:
            session.close()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
