"""Who a user is: the Iranian national code and passwords.

License holders log in with their national ID as user name and, until they change
it, as password. This package checks national codes and hashes and checks passwords;
it does no I/O and knows nothing of the store.
"""

from __future__ import annotations

from mohlat.identity.national_id import (
    is_valid_national_id,
    make_national_id,
    normalize_national_id,
    validate_national_id,
)
from mohlat.identity.passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    check_new_password,
    configure,
    hash_password,
    needs_rehash,
    verify_password,
)

__all__ = [
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "check_new_password",
    "configure",
    "hash_password",
    "is_valid_national_id",
    "make_national_id",
    "needs_rehash",
    "normalize_national_id",
    "validate_national_id",
    "verify_password",
]
