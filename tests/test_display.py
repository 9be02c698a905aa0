"""How timeline payloads read on screen."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from mohlat.display import _details, use_persian_digits


@pytest.fixture(autouse=True)
def _latin_digits() -> Iterator[None]:
    use_persian_digits(False)  # a CLI test's --fa may have left it on in this process
    yield
    use_persian_digits(False)


def test_an_appeal_decision_shows_the_place_before_and_after() -> None:
    payload = {"final_total": 73.0, "position": {"before": [4, 2, 1], "after": [3, 1, 1]}}
    assert _details(payload) == [
        "final total: 73.0",
        "place: national 4 → 3, region 2 → 1, province 1 → 1",
    ]


def test_a_due_instant_reads_in_tehran_time() -> None:
    assert _details({"appeal_due": "2021-05-12T19:29:59.999999+00:00"}) == [
        "appeal deadline: 1400/02/22 23:59:59"
    ]


def test_with_fa_a_due_instant_reads_with_the_month_name_and_persian_digits() -> None:
    use_persian_digits(True)
    assert _details({"appeal_due": "2021-05-12T19:29:59.999999+00:00"}) == [
        "appeal deadline: ۲۲ اردیبهشت ۱۴۰۰ ۲۳:۵۹:۵۹"
    ]
