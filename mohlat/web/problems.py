"""Refusals as problem details (RFC 9457): one status per kind of error, the same
message the CLI prints, and the exit code the CLI would end with.

A problem document is ``{"type", "title", "status", "detail", "exit_code"}`` and, for
bad input, ``"field"`` (which parameter) and ``"allowed"`` (what it may be). The CLI's
remote client (:mod:`mohlat.api.remote`) turns it back into the same error.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from mohlat.api.operations import validation_error
from mohlat.errors import (
    AuthenticationFailed,
    ConcurrentUpdate,
    DatabaseBusy,
    DatabaseError,
    DatabaseNotReady,
    DatabaseUnavailable,
    Duplicate,
    InvalidInput,
    MohlatError,
    NotFound,
    PasswordChangeRequired,
    PermissionDenied,
    Refused,
)

__all__ = ["PROBLEM_TYPE", "TooManyAttempts", "install", "problem", "status_of"]

log = logging.getLogger("mohlat.web")

PROBLEM_TYPE: Final = "application/problem+json"

#: the HTTP status of each kind of error, most specific first
_STATUS: Final[tuple[tuple[type[MohlatError], int], ...]] = (
    (AuthenticationFailed, 401),
    (PasswordChangeRequired, 403),
    (PermissionDenied, 403),
    (NotFound, 404),
    (Duplicate, 409),
    (InvalidInput, 422),
    (DatabaseBusy, 503),
    (ConcurrentUpdate, 409),
    (DatabaseNotReady, 503),
    (DatabaseUnavailable, 503),
    (DatabaseError, 500),
    (Refused, 409),
)


class TooManyAttempts(Refused):
    """Too many login attempts from one address or for one account: wait."""

    def __init__(self, what: str, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many login attempts {what}; try again in {retry_after} s")


def status_of(error: MohlatError) -> int:
    """The HTTP status that answers ``error``."""
    if isinstance(error, TooManyAttempts):
        return 429
    if isinstance(error, PermissionDenied) and error.actor == "anonymous":
        return 401
    for kind, status in _STATUS:
        if isinstance(error, kind):
            return status
    return 400 if error.exit_code == 2 else 409


def _kebab(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


#: a lone surrogate: JSON may escape one (``"\\ud800"``, e.g. as an object's key) and
#: a refusal may quote it, but UTF-8 cannot carry it
_SURROGATE: Final = re.compile("[\ud800-\udfff]")


def _sendable(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD, so the document encodes."""
    return _SURROGATE.sub("\ufffd", text)


def problem(error: MohlatError) -> JSONResponse:
    """``error`` as a problem document."""
    status = status_of(error)
    body: dict[str, Any] = {
        "type": f"urn:mohlat:problem:{_kebab(type(error).__name__)}",
        "title": (type(error).__doc__ or type(error).__name__).strip().splitlines()[0],
        "status": status,
        "detail": _sendable(str(error)),
        "exit_code": error.exit_code,
    }
    if isinstance(error, InvalidInput):
        body["field"] = _sendable(error.field)
        body["allowed"] = _sendable(error.allowed)
    headers = {}
    if isinstance(error, TooManyAttempts):
        headers["Retry-After"] = str(error.retry_after)
    elif status == 503:
        headers["Retry-After"] = "5"
    elif status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE, headers=headers)


def _http_problem(status: int, detail: str, exit_code: int) -> JSONResponse:
    title = {404: "Not found", 405: "Method not allowed"}.get(status, "Refused")
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "exit_code": exit_code,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_TYPE)


def install(app: FastAPI) -> None:
    """Answer every error ``app`` meets with a problem document (never a traceback)."""

    @app.exception_handler(MohlatError)
    async def _mohlat(request: Request, exc: MohlatError) -> JSONResponse:
        if status_of(exc) >= 500:
            log.error("%s %s: %s", request.method, request.url.path, exc)
        return problem(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(validation_error(exc.errors()))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "refused"
        return _http_problem(exc.status_code, detail, 2 if exc.status_code < 500 else 1)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return _http_problem(500, "the server failed unexpectedly; nothing was written", 1)
