"""Password hashing (argon2id) and the policy for a new password.

Every password is prepared the same way before it is hashed or verified: Unicode
NFKC normalization (as NIST SP 800-63B asks, so that the same text typed on two
systems is the same password) and Persian and Arabic-Indic digits folded to ASCII.
The folding matters here: a holder typing on a Persian keyboard layout sends ۰-۹
where another system sends 0-9; ``۱۲۳۴`` and ``1234`` are therefore the same
password.

Hashing uses one module-level :class:`argon2.PasswordHasher` with the library's
defaults (RFC 9106 low-memory profile: argon2id, 64 MiB, 3 passes). These cost
about 50 ms a hash on purpose; tests and the demo, which hash hundreds of
passwords, call :func:`configure` with cheap parameters and ``configure()`` to go
back. Hashes made with other parameters still verify; :func:`needs_rehash` tells
the caller to store a new hash after the next successful login.

When there is no hash to check a password against (no such user, an office account
not activated yet), the caller verifies against :func:`nobodys_hash` instead, so the
answer costs the same time and does not tell whether the account exists.
"""

from __future__ import annotations

import secrets
import unicodedata

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from argon2.profiles import get_default_parameters

from mohlat.errors import InvalidInput
from mohlat.identity._text import fold_digits, strip_separators

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "check_new_password",
    "configure",
    "hash_password",
    "needs_rehash",
    "nobodys_hash",
    "verify_password",
]

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256

_HIDDEN = "<hidden>"
_DEFAULTS = get_default_parameters()

_hasher = PasswordHasher.from_parameters(_DEFAULTS)
_nobodys_hash: str | None = None


def configure(
    *,
    time_cost: int | None = None,
    memory_cost: int | None = None,
    parallelism: int | None = None,
) -> None:
    """Hash new passwords with these argon2id costs; a cost left out takes the library default.

    ``configure()`` restores the defaults. Only tests and the demo should lower the
    costs, e.g. ``configure(time_cost=1, memory_cost=8, parallelism=1)`` (memory in KiB,
    at least ``8 * parallelism``). Raises :class:`ValueError` for costs argon2 cannot use.
    """
    global _hasher, _nobodys_hash
    time_cost = _DEFAULTS.time_cost if time_cost is None else time_cost
    memory_cost = _DEFAULTS.memory_cost if memory_cost is None else memory_cost
    parallelism = _DEFAULTS.parallelism if parallelism is None else parallelism
    if time_cost < 1 or parallelism < 1 or memory_cost < 8 * parallelism:
        raise ValueError(
            f"argon2 needs time_cost >= 1, parallelism >= 1 and memory_cost >= 8 * parallelism;"
            f" got time_cost={time_cost!r}, memory_cost={memory_cost!r},"
            f" parallelism={parallelism!r}"
        )
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    _nobodys_hash = None


def nobodys_hash() -> str:
    """A hash made with today's costs that no password matches (of a random secret
    nobody knows): verifying against it costs what verifying a real hash costs."""
    global _nobodys_hash
    if _nobodys_hash is None:
        _nobodys_hash = _hasher.hash(secrets.token_urlsafe(32))
    return _nobodys_hash


def _prepare(password: str) -> str:
    return fold_digits(unicodedata.normalize("NFKC", password))


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates, e.g. from undecodable bytes in argv
        return False
    return True


def hash_password(password: str) -> str:
    """An argon2id hash of ``password`` (with a fresh random salt), to store.

    Raises :class:`~mohlat.errors.InvalidInput` for text that cannot be written as UTF-8.
    The policy for new passwords is :func:`check_new_password`'s, not this function's.
    """
    prepared = _prepare(password)
    if not _encodable(prepared):
        raise InvalidInput("password", _HIDDEN, "a password must be text that UTF-8 can encode")
    return _hasher.hash(prepared)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash``.

    False, never an error, when it does not match, when the hash is malformed or not
    argon2, and when the password cannot be encoded.
    """
    try:
        return _hasher.verify(stored_hash, _prepare(password))
    except (VerificationError, ValueError):  # ValueError: InvalidHashError, UnicodeError
        return False


def needs_rehash(stored_hash: str) -> bool:
    """Whether ``stored_hash`` was made with other parameters than new hashes get now.

    True also for a malformed hash: whatever is stored should be replaced.
    """
    try:
        return _hasher.check_needs_rehash(stored_hash)
    except ValueError:  # InvalidHashError, UnicodeError
        return True


def _comparable(text: str) -> str:
    return strip_separators(unicodedata.normalize("NFKC", text)).casefold()


def check_new_password(new: str, *, national_id: str | None, username: str) -> None:
    """Refuse ``new`` as a password unless the policy allows it.

    Raises :class:`~mohlat.errors.InvalidInput` (field ``password``, value
    ``'<hidden>'``) when it is shorter than :data:`MIN_PASSWORD_LENGTH` or longer than
    :data:`MAX_PASSWORD_LENGTH` characters, is one character repeated, or is the
    national ID or the user name. Those comparisons ignore case, whitespace, dashes and
    the script of the digits, so the national ID in Persian digits is refused too.
    """
    prepared = _prepare(new)
    if not _encodable(prepared):
        raise InvalidInput("password", _HIDDEN, "a password must be text that UTF-8 can encode")
    if len(prepared) > MAX_PASSWORD_LENGTH:
        raise InvalidInput(
            "password", _HIDDEN, f"a password has at most {MAX_PASSWORD_LENGTH} characters"
        )
    if len(prepared) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            "password", _HIDDEN, f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
        )
    if len(set(prepared)) == 1:
        raise InvalidInput("password", _HIDDEN, "a password must not be one character repeated")
    comparable = _comparable(new)
    if national_id is not None and comparable == _comparable(national_id):
        raise InvalidInput("password", _HIDDEN, "a password must not be the national ID")
    if comparable == _comparable(username):
        raise InvalidInput("password", _HIDDEN, "a password must not be the user name")
