"""Fixtures for the identity tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mohlat.identity import passwords


@pytest.fixture(autouse=True)
def cheap_hashing() -> Iterator[None]:
    """Hash with the cheapest argon2id costs, and restore the defaults afterwards."""
    passwords.configure(time_cost=1, memory_cost=8, parallelism=1)
    yield
    passwords.configure()
