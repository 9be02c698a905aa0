"""Who a user is: the Iranian national code and passwords.

License holders log in with their national ID as user name; their first password
is set with a one-time activation code their region issues. This package checks
national codes, makes activation codes, and hashes and checks passwords and codes;
it does no I/O and knows nothing of the store.
"""

from __future__ import annotations

from mohlat.identity.activation import (
    CODE_ALPHABET,
    CODE_LENGTH,
    format_code,
    new_activation_code,
    normalize_code,
)
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
    nobodys_hash,
    verify_password,
)

__all__ = [
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "MAX_PASSWORD_LENGTH",
    "MIN_PASSWORD_LENGTH",
    "check_new_password",
    "configure",
    "format_code",
    "hash_password",
    "is_valid_national_id",
    "make_national_id",
    "needs_rehash",
    "new_activation_code",
    "nobodys_hash",
    "normalize_code",
    "normalize_national_id",
    "validate_national_id",
    "verify_password",
]
