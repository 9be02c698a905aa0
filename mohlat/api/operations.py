"""The operations: every call a front end can make, declared once.

An :class:`Operation` names one call of the application layer: its HTTP method and
path, the parameters it takes (a pydantic model: their names, types and bounds), the
shape of what it returns (a view of :mod:`mohlat.views` or a small result below),
whether it needs a login, and the function that runs it against the services. The
server's routes (:mod:`mohlat.web.routes`) and both ways the CLI runs a command (in
process, :mod:`mohlat.api.local`, or through a server, :mod:`mohlat.api.remote`)
are derived from this table; no front end restates a rule. Who may do what stays
the services' (:mod:`mohlat.services.access`): an operation only passes the actor on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from pydantic import BaseModel, ConfigDict, ValidationError

from mohlat.errors import InvalidInput

if TYPE_CHECKING:
    from mohlat.services import Database
    from mohlat.services.access import Actor

__all__ = [
    "OPERATIONS",
    "Call",
    "Login",
    "Operation",
    "Params",
    "operation",
    "parse_params",
    "path_fields",
    "validation_error",
]


class Login(StrEnum):
    """What an operation needs of the caller."""

    #: a logged-in account (whose password need not change)
    REQUIRED = "required"
    #: public: anyone; a logged-in caller may see more (a supervisor: its counts)
    OPTIONAL = "optional"
    #: nobody is logged in (logging in, activating an account)
    NONE = "none"
    #: a logged-in account, even one that must change its password first
    PASSWORD_CHANGE = "password_change"


class Params(BaseModel):
    """Base of every operation's parameters: unknown names are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class Call:
    """What an operation runs with: the database, who asks, and when."""

    db: Database
    actor: Actor | None
    now: datetime
    #: the server's own settings (its environment): where the chain key file is
    settings: Mapping[str, str] = field(default_factory=dict)
    #: the client's address, as the server saw it ("" in process)
    client: str = ""
    #: the bearer token the call came with, if any (logging out closes it)
    token: str | None = None

    @property
    def who(self) -> Actor:
        """The actor (an operation that needs a login is never run without one)."""
        assert self.actor is not None, "an operation needing a login ran without one"
        return self.actor


@dataclass(frozen=True)
class Operation:
    """One call of the application layer."""

    name: str
    method: str
    #: the path under the API's prefix; ``{name}`` segments are parameters
    path: str
    summary: str
    params: type[Params]
    #: the type of what ``run`` returns (its JSON schema; the client rebuilds it)
    result: Any
    run: Callable[[Call, Any], Any]
    login: Login = Login.REQUIRED
    #: the HTTP status of a success
    status: int = 200
    #: a login attempt: the parameter naming the account (a server rate-limits these)
    attempt_by: str | None = None


#: every operation, by name
OPERATIONS: Final[dict[str, Operation]] = {}

_PATH_FIELD = re.compile(r"{(\w+)}")


def path_fields(path: str) -> tuple[str, ...]:
    """The parameter names a path carries (``/cases/{ref}`` → ``("ref",)``)."""
    return tuple(_PATH_FIELD.findall(path))


def operation(
    name: str,
    method: str,
    path: str,
    *,
    params: type[Params],
    result: Any,
    login: Login = Login.REQUIRED,
    status: int = 200,
    attempt_by: str | None = None,
) -> Callable[[Callable[[Call, Any], Any]], Callable[[Call, Any], Any]]:
    """Declare the decorated function as the operation ``name``."""

    def register(run: Callable[[Call, Any], Any]) -> Callable[[Call, Any], Any]:
        if name in OPERATIONS:
            raise ValueError(f"operation {name!r} declared twice")
        missing = [f for f in path_fields(path) if f not in params.model_fields]
        if missing:
            raise ValueError(f"operation {name!r}: path fields {missing} not in its params")
        summary = " ".join((run.__doc__ or name).strip().split("\n\n")[0].split())
        OPERATIONS[name] = Operation(
            name,
            method,
            path,
            summary,
            params,
            result,
            run,
            login=login,
            status=status,
            attempt_by=attempt_by,
        )
        return run

    return register


def validation_error(errors: Sequence[Mapping[str, Any]]) -> InvalidInput:
    """The first of the problems pydantic found (its ``errors()``), as mohlat's error
    naming the field."""
    first = errors[0] if errors else {"loc": (), "msg": "not valid", "type": ""}
    where = ".".join(
        str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path")
    )
    shown = None if first.get("type") == "missing" else first.get("input")
    return InvalidInput(where or "request", shown, str(first["msg"]).lower())


def parse_params(op: Operation, data: Mapping[str, Any]) -> Params:
    """``data`` as ``op``'s parameters; refused with :class:`InvalidInput` naming the field."""
    try:
        return op.params.model_validate(dict(data))
    except ValidationError as error:
        raise validation_error(error.errors()) from None
