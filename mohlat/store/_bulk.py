"""Many rows through one statement at the driver's level.

SQLAlchemy's ``executemany`` builds a parameter set per row through its generic
machinery, which costs more than the database's own work for a sweep batch of
thousands of rows. Here the statement is compiled once (and kept, by its structure,
for the next call), each column's type conversion is looked up once (and memoized
for repeated values such as a batch's shared instant), and the rows go to the
driver's ``executemany`` as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy.engine import Connection
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.types import JSON

__all__ = ["PRESERIALIZED", "executemany"]

Processor = Callable[[Any], Any]


class Preserialized(str):
    """A JSON value already encoded as text: bound as it is."""

    __slots__ = ()


PRESERIALIZED = Preserialized


def executemany(
    conn: Connection, statement: ClauseElement, rows: Sequence[Mapping[str, Any]]
) -> int:
    """Run ``statement`` once per row; returns how many rows the database says it
    affected. Every bind parameter of ``statement`` must be a key of each row."""
    if not rows:
        return 0
    dialect = conn.dialect
    sql, positional, types = _compiled(statement, dialect)
    converters = [(name, _converter(type_, dialect)) for name, type_ in types]
    params: list[Any]
    if positional:
        params = [
            tuple(row[n] if convert is None else convert(row[n]) for n, convert in converters)
            for row in rows
        ]
    else:
        params = [
            {n: row[n] if convert is None else convert(row[n]) for n, convert in converters}
            for row in rows
        ]
    result = conn.exec_driver_sql(sql, params)
    return int(result.rowcount)


#: a compiled statement: its SQL, whether its parameters are positional, and each
#: parameter's name and type in order
_Compiled = tuple[str, bool, tuple[tuple[str, Any], ...]]

#: statements compiled already, by dialect and structure (SQLAlchemy's cache key, as
#: its own statement cache uses it): a statement built anew for each single-case
#: action is compiled once, not on every call
_COMPILED: dict[tuple[Any, Any], _Compiled] = {}
#: the most statements kept (forgotten all at once past it: the set is small and fixed)
_MAX_COMPILED = 1000


def _compiled(statement: ClauseElement, dialect: Any) -> _Compiled:
    cache_key = statement._generate_cache_key()
    key = None if cache_key is None else (dialect, cache_key.key)
    if key is not None:
        found = _COMPILED.get(key)
        if found is not None:
            return found
    compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
    names = list(compiled.positiontup or ()) if compiled.positional else list(compiled.binds)
    done = (
        compiled.string,
        bool(compiled.positional),
        tuple((name, compiled.binds[name].type) for name in names),
    )
    if key is not None:
        if len(_COMPILED) >= _MAX_COMPILED:
            _COMPILED.clear()
        _COMPILED[key] = done
    return done


def _converter(type_: Any, dialect: Any) -> Processor | None:
    """The bind conversion of a column type, memoized by value where values repeat."""
    process: Processor | None = type_.dialect_impl(dialect).bind_processor(dialect)
    if isinstance(type_, JSON):
        if process is None:
            return None
        json_process = process

        def convert_json(value: Any) -> Any:
            if isinstance(value, Preserialized):
                return str(value)
            return json_process(value)

        return convert_json
    if process is None:
        return None
    seen: dict[Any, Any] = {}
    bare = process

    def convert(value: Any) -> Any:
        try:
            return seen[value]
        except KeyError:
            converted = seen[value] = bare(value)
            return converted
        except TypeError:  # unhashable
            return bare(value)

    return convert
