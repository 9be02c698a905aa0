"""The one error hierarchy of mohlat.

Every error the product raises on purpose is a :class:`MohlatError`. Each class
keeps the offending values as attributes and builds its message with ``!r`` so the
user sees exactly what was refused. The CLI maps the hierarchy to exit codes in one
place (:attr:`MohlatError.exit_code`): 1 when a rule refused the action (deadline,
state, permission), 2 when the input or the usage was wrong.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "AuthenticationFailed",
    "CampaignNotFound",
    "CaseNotFound",
    "ConcurrentUpdate",
    "ConstraintViolated",
    "DatabaseBusy",
    "DatabaseError",
    "DatabaseNotReady",
    "DatabaseUnavailable",
    "DeadlinePassed",
    "Duplicate",
    "InvalidDate",
    "InvalidInput",
    "InvalidNationalId",
    "InvalidRubric",
    "MohlatError",
    "NotFound",
    "NotYetOpen",
    "OfficeNotFound",
    "PasswordChangeRequired",
    "PermissionDenied",
    "Refused",
    "StaleVersion",
    "TransitionNotAllowed",
    "UserNotFound",
]

REFUSED_EXIT = 1
BAD_INPUT_EXIT = 2


class MohlatError(Exception):
    """Base of every error mohlat raises on purpose."""

    exit_code: int = REFUSED_EXIT


# --- bad input (exit 2) -----------------------------------------------------------


class InvalidInput(MohlatError, ValueError):
    """A value given by the user is not acceptable: names the field, the value, what is allowed."""

    exit_code = BAD_INPUT_EXIT

    def __init__(self, field: str, value: object, allowed: str) -> None:
        self.field = field
        self.value = value
        self.allowed = allowed
        shown = "missing" if value is None else f"{value!r} is not valid"
        super().__init__(f"{field}: {shown}; {allowed}")


class InvalidDate(InvalidInput):
    """A Jalali date or date-time that does not exist or cannot be read."""


class InvalidNationalId(InvalidInput):
    """A national ID that is not 10 digits with a correct check digit."""


class InvalidRubric(InvalidInput):
    """A rubric file that cannot be used; ``line`` is the line at fault when known."""

    def __init__(self, field: str, value: object, allowed: str, *, line: int | None = None) -> None:
        self.line = line
        where = f"line {line}: " if line is not None else ""
        super().__init__(f"{where}{field}", value, allowed)


class Duplicate(InvalidInput):
    """Something that must be unique already exists."""

    def __init__(self, what: str, value: object) -> None:
        super().__init__(what, value, f"a {what} with this value already exists")


class NotFound(MohlatError, LookupError):
    """A thing named by the user does not exist (or is outside the actor's remit)."""

    exit_code = BAD_INPUT_EXIT
    what = "thing"

    def __init__(self, key: object) -> None:
        self.key = key
        super().__init__(f"{self.what} {key!r} not found")


class CaseNotFound(NotFound):
    what = "case"


class CampaignNotFound(NotFound):
    what = "campaign"


class OfficeNotFound(NotFound):
    what = "office"


class UserNotFound(NotFound):
    what = "user"


class DatabaseNotReady(MohlatError):
    """The database has no mohlat schema yet, or an older one."""

    exit_code = BAD_INPUT_EXIT

    def __init__(self, url: str, *, outdated: bool = False, missing: bool = False) -> None:
        self.url = url
        self.outdated = outdated
        self.missing = missing
        if missing:
            super().__init__(
                f"there is no database at {url!r}: check the path, "
                "or run `mohlat init` to create one"
            )
            return
        what = "an older mohlat schema" if outdated else "no mohlat schema"
        super().__init__(f"database {url!r} has {what}; run `mohlat init` first")


class DatabaseUnavailable(MohlatError):
    """The database cannot be used at all (a path, a server, a file, a disk); nothing
    was written. A configuration problem: exit 2."""

    exit_code = BAD_INPUT_EXIT

    def __init__(self, url: str, why: str) -> None:
        self.url, self.why = url, why
        super().__init__(f"cannot use the database {url!r}: {why}; nothing was written")


class DatabaseError(MohlatError):
    """The database failed in a way mohlat does not expect; nothing was written."""

    def __init__(self, detail: str) -> None:
        self.detail = detail
        super().__init__(f"the database refused: {detail}; nothing was written")


class ConstraintViolated(DatabaseError):
    """A write broke one of the schema's invariants other than uniqueness: a CHECK
    (an undeclared state, status, kind or role), a reference to a missing row, or a
    missing required value. ``kind`` says which, ``constraint`` names it."""

    def __init__(self, kind: str, constraint: str) -> None:
        self.kind = kind
        self.constraint = constraint
        super().__init__(f"{kind} constraint {constraint!r} failed")


# --- refused by a rule (exit 1) ---------------------------------------------------


class Refused(MohlatError):
    """A rule of the workflow refused the action."""

    exit_code = REFUSED_EXIT


class TransitionNotAllowed(Refused):
    """The action is not allowed from the case's current state."""

    def __init__(self, action: str, state: str, allowed: Iterable[str], *, why: str = "") -> None:
        self.action = action
        self.state = state
        self.allowed = tuple(sorted(allowed))
        listed = ", ".join(self.allowed) or "none"
        reason = f" ({why})" if why else ""
        super().__init__(
            f"{action!r} is not allowed in state {state!r}{reason}; "
            f"allowed from {state!r}: {listed}"
        )


class DeadlinePassed(Refused):
    """The action came after the deadline that governs it."""

    def __init__(self, action: str, deadline: str, due_text: str) -> None:
        self.action = action
        self.deadline = deadline
        self.due_text = due_text
        super().__init__(f"{action!r} refused: the {deadline} deadline passed at {due_text}")


class NotYetOpen(Refused):
    """The action came before its window opened."""

    def __init__(self, action: str, window: str, opens_text: str) -> None:
        self.action = action
        self.window = window
        self.opens_text = opens_text
        super().__init__(f"{action!r} refused: the {window} opens at {opens_text}")


class PermissionDenied(Refused, PermissionError):
    """The actor's role or remit does not allow the action."""

    def __init__(self, actor: str, action: str, why: str) -> None:
        self.actor = actor
        self.action = action
        self.why = why
        super().__init__(f"{actor!r} may not {action!r}: {why}")


class AuthenticationFailed(Refused):
    """The user name or password is wrong, or the account is locked."""

    def __init__(self, username: str, why: str = "wrong user name or password") -> None:
        self.username = username
        self.why = why
        super().__init__(f"login as {username!r} failed: {why}")


class PasswordChangeRequired(Refused):
    """The account must change its initial password before acting."""

    def __init__(self, username: str) -> None:
        self.username = username
        super().__init__(
            f"{username!r} must change the initial password first: run `mohlat passwd`"
        )


class ConcurrentUpdate(Refused):
    """Someone else changed the same case at the same time; nothing was written."""

    def __init__(self, what: str) -> None:
        self.what = what
        super().__init__(
            f"{what} was changed by someone else meanwhile; nothing was written, try again"
        )


class DatabaseBusy(ConcurrentUpdate):
    """Another process held the database longer than the busy timeout."""

    def __init__(self) -> None:
        self.what = "the database"
        MohlatError.__init__(
            self,
            "the database is busy (another process held it for over 30 s); "
            "nothing was written, try again",
        )


class StaleVersion(ConcurrentUpdate):
    """The case changed since the version the person acted on; nothing was written."""

    def __init__(self, ref: str, expected: int, actual: int) -> None:
        self.ref, self.expected, self.actual = ref, expected, actual
        MohlatError.__init__(
            self,
            f"case {ref!r} was changed by someone else meanwhile (it is at version {actual}, "
            f"you acted on version {expected}); nothing was written: reload it and try again",
        )
