"""The API's routes, one per operation of :mod:`mohlat.api.operations`.

Each route only reads the request (path, query or JSON body, the bearer token, the
client's address), finds who is calling, and runs the operation: what the call means,
who may make it and every rule are the operation's and the services'.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import create_model

from mohlat.api.catalog import OPERATIONS
from mohlat.api.operations import Call, Login, Operation, Params, parse_params, path_fields
from mohlat.clock import Clock
from mohlat.errors import PermissionDenied
from mohlat.services.access import Actor
from mohlat.web.limits import LoginLimits

if TYPE_CHECKING:
    from mohlat.services import Database

__all__ = ["Served", "api_router"]

_bearer = HTTPBearer(auto_error=False, description="A token from `POST /api/v1/session`.")
Bearer = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


@dataclass
class Served:
    """What every route serves with: the database, the clock, the server's settings."""

    db: Database
    clock: Clock
    settings: Mapping[str, str] = field(default_factory=dict)
    limits: LoginLimits = field(default_factory=LoginLimits)

    def actor(self, op: Operation, token: str | None) -> Actor | None:
        """Who calls ``op`` with ``token``; refused as the operation's login says."""
        from mohlat.services.sessions import session_actor

        if op.login is Login.NONE:
            return None
        if token is None:
            if op.login is Login.OPTIONAL:
                return None
            raise PermissionDenied("anonymous", op.name, "log in first")
        return session_actor(
            self.db,
            token=token,
            now=self.clock.now(),
            changing_password=op.login is Login.PASSWORD_CHANGE,
        )


def _sent_fields(op: Operation) -> type[Params] | None:
    """The model of what comes in the query or the body: the parameters not in the path
    (None: nothing)."""
    in_path = set(path_fields(op.path))
    rest = {
        name: (info.annotation, info)
        for name, info in op.params.model_fields.items()
        if name not in in_path
    }
    if not rest:
        return None
    suffix = "Query" if op.method in ("GET", "DELETE") else "Body"
    model: type[Params] = create_model(  # type: ignore[call-overload]
        op.params.__name__ + suffix, __base__=Params, **rest
    )
    return model


def _endpoint(op: Operation, served: Served) -> Callable[..., Any]:
    """The function FastAPI calls for ``op`` (its signature says what to read)."""
    sent = _sent_fields(op)
    in_path = path_fields(op.path)

    def endpoint(request: Request, credentials: Bearer, **given: Any) -> Any:
        sent_values = given.pop("params", None)
        data = sent_values.model_dump(exclude_unset=True) if sent_values is not None else {}
        params = parse_params(op, {**data, **given})
        client = request.client.host if request.client else ""
        if op.attempt_by is not None:
            served.limits.check(address=client, username=str(getattr(params, op.attempt_by)))
        token = credentials.credentials if credentials is not None else None
        call = Call(
            served.db,
            served.actor(op, token),
            served.clock.now(),
            settings=served.settings,
            client=client,
            token=token,
        )
        return op.run(call, params)

    parameters = [
        inspect.Parameter("request", inspect.Parameter.KEYWORD_ONLY, annotation=Request),
        inspect.Parameter("credentials", inspect.Parameter.KEYWORD_ONLY, annotation=Bearer),
    ]
    for name in in_path:
        kind = op.params.model_fields[name].annotation
        parameters.append(
            inspect.Parameter(
                name, inspect.Parameter.KEYWORD_ONLY, annotation=Annotated[kind, Path()]
            )
        )
    if sent is not None:
        annotation, default = _sent_as(op, sent)
        parameters.append(
            inspect.Parameter(
                "params", inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default
            )
        )
    endpoint.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    endpoint.__name__ = op.name.replace(".", "_")
    return endpoint


def _sent_as(op: Operation, sent: type[Params]) -> tuple[Any, Any]:
    """How FastAPI reads the sent parameters (the annotation and the default): the query
    of a GET or DELETE, else the JSON body, which may be left out when every field has
    a default."""
    if op.method in ("GET", "DELETE"):
        return Annotated[sent, Query()], inspect.Parameter.empty
    if any(f.is_required() for f in sent.model_fields.values()):
        return Annotated[sent, Body()], inspect.Parameter.empty
    return Annotated[sent | None, Body()], None


def api_router(served: Served) -> APIRouter:
    """A router with one route per operation."""
    router = APIRouter()
    for op in OPERATIONS.values():
        router.add_api_route(
            op.path,
            _endpoint(op, served),
            methods=[op.method],
            response_model=op.result,
            status_code=op.status,
            summary=op.summary,
            name=op.name,
            tags=[op.name.split(".")[0]],
            responses={
                "default": {
                    "description": "A refusal, as a problem document (RFC 9457)",
                    "content": {"application/problem+json": {}},
                }
            },
        )
    return router
