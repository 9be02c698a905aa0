"""Persistence: the only package that imports SQLAlchemy/SQLModel.

Import it lazily from commands that need a database: importing SQLModel costs
several hundred milliseconds.
"""

from mohlat.store.database import (
    DEFAULT_URL,
    Database,
    Transaction,
    database_url,
    is_demo_file,
    safe_url,
)

__all__ = ["DEFAULT_URL", "Database", "Transaction", "database_url", "is_demo_file", "safe_url"]
