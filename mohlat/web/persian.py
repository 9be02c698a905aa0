"""How the pages say things in Persian: the names of states, kinds, deadlines and
actions, and numbers and instants in Persian digits, Jalali dates and Tehran time.

The words are here once; the templates only look them up (:func:`filters`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

from mohlat.calendars import format_date_long, format_instant, tehran_date, to_persian_digits

__all__ = [
    "ACTIONS_FA",
    "DEADLINES_FA",
    "KINDS_FA",
    "OFFICE_FORMS_FA",
    "PAYLOAD_FA",
    "ROLES_FA",
    "STAFF_FORMS_FA",
    "STATES_FA",
    "TEXT_LABELS_FA",
    "WINDOWS_FA",
    "fa_number",
    "fa_when",
    "fa_yes_no",
    "filters",
]

STATES_FA: Final[dict[str, str]] = {
    "declaring": "خوداظهاری",
    "regional_review": "بررسی منطقه",
    "correction_referral": "ارجاع برای اصلاح",
    "ranked": "رتبه‌بندی‌شده",
    "appealed": "در حال رسیدگی به اعتراض",
    "final": "قطعی",
    "lapsed": "بدون خوداظهاری (منقضی)",
}

KINDS_FA: Final[dict[str, str]] = {
    "pishkhan": "دفتر پیشخوان خدمات دولت",
    "rural_ict": "دفتر ICT روستایی",
}

DEADLINES_FA: Final[dict[str, str]] = {
    "declaration": "مهلت خوداظهاری",
    "review": "مهلت بررسی منطقه",
    "correction": "مهلت اصلاح",
    "appeal": "مهلت اعتراض",
    "appeal_decision": "مهلت رسیدگی به اعتراض",
}

DEADLINE_STATUSES_FA: Final[dict[str, str]] = {
    "pending": "در جریان",
    "paused": "متوقف",
    "expired": "گذشت",
    "closed": "بسته شد",
    "stale": "بی‌اثر",
}

ACTIONS_FA: Final[dict[str, str]] = {
    "open": "تشکیل پرونده",
    "declare": "خوداظهاری",
    "review": "بررسی منطقه",
    "refer": "ارجاع برای اصلاح",
    "correct": "اصلاح",
    "approve": "تأیید منطقه",
    "publish": "انتشار رتبه‌ها",
    "appeal": "اعتراض",
    "decide": "رأی اعتراض",
    "close_window": "پایان مهلت خوداظهاری",
    "lapse_correction": "پایان مهلت اصلاح",
    "close_review": "پایان مهلت بررسی",
    "close_appeal": "پایان مهلت اعتراض",
    "escalate": "ارجاع به مرجع بالاتر",
    "extend": "تمدید مهلت",
    "deadline_moved": "جابه‌جایی مهلت با تغییر تقویم",
}

ROLES_FA: Final[dict[str, str]] = {
    "admin": "مدیر سامانه",
    "supervisor": "کارشناس منطقه",
    "office": "دفتر",
    "scheduler": "زمان‌بند (خودکار)",
}

#: the forms of the region's actions on a case page, and what each is called
#: the forms of an office's actions, by action
OFFICE_FORMS_FA: Final[dict[str, str]] = {
    "declare": "خوداظهاری",
    "correct": "اصلاح پرونده",
    "appeal": "اعتراض به رتبه",
}

STAFF_FORMS_FA: Final[dict[str, str]] = {
    "review": "بررسی و تکمیل اطلاعات",
    "refer": "ارجاع به دفتر برای اصلاح",
    "approve": "تأیید بررسی منطقه",
    "decide": "رأی اعتراض",
}

#: what an action's written text is, on its form
TEXT_LABELS_FA: Final[dict[str, str]] = {
    "review": "یادداشت بررسی",
    "refer": "دلیل ارجاع (به دفتر نشان داده می‌شود)",
    "approve": "یادداشت تأیید",
    "decide": "دلیل رأی",
    "appeal": "متن اعتراض",
    "correct": "توضیح",
}

#: what a timeline event's payload says, by its key
PAYLOAD_FA: Final[dict[str, str]] = {
    "changes": "اطلاعات دفتر",
    "association_score": "امتیاز انجمن استانی",
    "violations": "تخلفات",
    "total": "امتیاز",
    "grade": "درجه",
    "final_total": "امتیاز نهایی",
    "final_grade": "درجهٔ نهایی",
    "position": "رتبه (کشوری، منطقه، استان)",
    "deadline": "مهلت",
    "from": "از",
    "to": "تا",
    "reason": "دلیل",
    "text": "متن",
    "disputes": "معیارهای مورد اعتراض",
    "granted": "تمدید",
    "region": "منطقه",
    "province": "استان",
    "review": "بررسی",
}

#: the windows an administrator may extend
WINDOWS_FA: Final[dict[str, str]] = {
    "declaration": "مهلت خوداظهاری",
    "review": "مهلت بررسی منطقه",
}


def fa_number(value: float | int | None) -> str:
    """A number in Persian digits (a score to the hundredth), or a dash."""
    if value is None:
        return "–"
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return to_persian_digits(text.replace(".", "٫"))


def fa_yes_no(value: bool) -> str:
    """Yes or no, in Persian."""
    return "بله" if value else "خیر"


def fa_when(instant: datetime | None) -> str:
    """An instant as a Jalali date and Tehran time in Persian: ۵ اردیبهشت ۱۴۰۰، ۲۳:۵۹."""
    if instant is None:
        return "–"
    clock = format_instant(instant, fa=True, seconds=False).split(" ", 1)[1]
    return f"{format_date_long(tehran_date(instant), fa=True)}، ساعت {clock}"


def _payload_key(key: Any) -> str:
    """A timeline payload's key in Persian (``review_due``: the review deadline's end)."""
    text = str(key)
    if text.endswith("_due") and text[: -len("_due")] in DEADLINES_FA:
        return f"پایان {DEADLINES_FA[text[: -len('_due')]]}"
    return PAYLOAD_FA.get(text, text)


def _looked_up(words: dict[str, str]) -> Callable[[Any], str]:
    return lambda key: words.get(str(key), str(key))


def filters() -> dict[str, Callable[..., str]]:
    """The template filters: ``fa`` (digits), ``when``, ``state``, ``kind``, ...."""
    return {
        "fa": lambda v: to_persian_digits(str(v)),
        "num": fa_number,
        "when": fa_when,
        "state": _looked_up(STATES_FA),
        "kind": _looked_up(KINDS_FA),
        "deadline": _looked_up(DEADLINES_FA),
        "deadline_status": _looked_up(DEADLINE_STATUSES_FA),
        "action": _looked_up(ACTIONS_FA),
        "role": _looked_up(ROLES_FA),
        "payload_key": _payload_key,
    }
