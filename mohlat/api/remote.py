"""Making an operation's call through a ``mohlat serve``, over HTTP.

The request is derived from the operation (its method, its path with the path
parameters filled in, the rest as the query of a GET or DELETE, else as a JSON body);
the answer is rebuilt into the operation's result type, so a front end gets the same
objects as in process. A refusal comes back as a problem document
(:mod:`mohlat.web.problems`) and is raised as :class:`RemoteError`, with the server's
message and exit code.
"""

from __future__ import annotations

from functools import cache
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import TypeAdapter

from mohlat.api.operations import Operation, Params, path_fields
from mohlat.errors import MohlatError

__all__ = ["API_PREFIX", "RemoteError", "Server", "ServerUnreachable"]

#: where the operations live on a server
API_PREFIX = "/api/v1"

#: seconds to wait for an answer (publishing 100,000 cases takes a while)
TIMEOUT = 600.0


class RemoteError(MohlatError):
    """The server refused a call: its message and exit code, as it said them."""

    def __init__(self, detail: str, *, exit_code: int, status: int, field: str | None) -> None:
        self.exit_code = exit_code
        self.status = status
        self.field = field
        super().__init__(detail)


class ServerUnreachable(MohlatError):
    """No answer from the server (its URL, the network, or the server is down)."""

    exit_code = 2

    def __init__(self, url: str, why: str) -> None:
        self.url = url
        super().__init__(f"no answer from the server at {url!r}: {why}")


@cache
def _adapter(result: Any) -> TypeAdapter[Any]:
    return TypeAdapter(result)


def _request_parts(op: Operation, params: Params) -> tuple[str, dict[str, Any]]:
    """The path (its parameters filled in) and the rest of the parameters."""
    given = params.model_dump(mode="json", exclude_defaults=True)
    path = op.path
    for name in path_fields(op.path):
        value = getattr(params, name)
        path = path.replace("{" + name + "}", quote(str(value), safe=""))
        given.pop(name, None)
    return path, given


class Server:
    """A ``mohlat serve`` at ``url``, called with ``token`` (None: anonymously)."""

    def __init__(
        self, url: str, token: str | None = None, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self._http = httpx.Client(base_url=self.url, timeout=TIMEOUT, transport=transport)

    def close(self) -> None:
        """Let go of the connection."""
        self._http.close()

    def call(self, op: Operation, params: Params, *, token: str | None = None) -> Any:
        """Make ``op``'s call; its result as the operation's type, or :class:`RemoteError`."""
        path, rest = _request_parts(op, params)
        bearer = token if token is not None else self.token
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        send: dict[str, Any] = (
            {"params": rest} if op.method in ("GET", "DELETE") else {"json": rest}
        )
        try:
            answer = self._http.request(op.method, API_PREFIX + path, headers=headers, **send)
        except httpx.HTTPError as exc:
            raise ServerUnreachable(self.url, str(exc) or type(exc).__name__) from None
        if answer.is_success:
            return _adapter(op.result).validate_python(answer.json())
        raise _refusal(answer)


def _refusal(answer: httpx.Response) -> MohlatError:
    """The error a refusal stands for."""
    try:
        problem = answer.json()
    except ValueError:
        problem = {}
    if not isinstance(problem, dict) or "detail" not in problem:
        return RemoteError(
            f"the server answered {answer.status_code} {answer.reason_phrase}",
            exit_code=1,
            status=answer.status_code,
            field=None,
        )
    return RemoteError(
        str(problem["detail"]),
        exit_code=int(problem.get("exit_code", 1)),
        status=answer.status_code,
        field=problem.get("field"),
    )
