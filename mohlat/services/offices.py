"""Importing offices from CSV: every row checked, all or nothing.

Columns: ``code, name, kind, region, province, national_id[, holder_name]``. Each
office's license holder gets an account whose user name is the national ID and
which has no password until the holder activates it with a code the region issues
(see :mod:`mohlat.services.activation`).
Offices imported while a campaign's declaration window is still open get a case
in it at once.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from mohlat.calendars import read_whole_number
from mohlat.errors import InvalidInput, MohlatError
from mohlat.identity import validate_national_id
from mohlat.services.access import Actor, authorize, region_filter
from mohlat.services.campaigns import OFFICE_KINDS, open_cases
from mohlat.services.plain import office_view
from mohlat.store import Database
from mohlat.store import queries as q
from mohlat.text_rules import clean_code, clean_name
from mohlat.views import ImportReport, OfficeView, RowError
from mohlat.workflow.definition import Role

__all__ = [
    "COLUMNS",
    "ImportReport",
    "RowError",
    "import_offices",
    "list_offices",
    "parse_offices",
    "read_offices_file",
]

COLUMNS = ("code", "name", "kind", "region", "province", "national_id")
OPTIONAL_COLUMNS = ("holder_name",)
MAX_ROWS = 200_000
MAX_FIELD = 200


class InvalidCsv(InvalidInput):
    """A CSV import with bad rows; nothing was imported."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        shown = "\n  ".join(str(e) for e in errors[:20])
        more = f"\n  … and {len(errors) - 20} more" if len(errors) > 20 else ""
        super().__init__(
            "csv",
            f"{len(errors)} bad row(s)",
            f"fix these rows (nothing was imported):\n  {shown}{more}",
        )


def parse_offices(text: str) -> tuple[list[dict[str, Any]], list[RowError]]:
    """The office rows of a CSV text, and the errors of the rows that are not good."""
    try:
        return _parse(text)
    except csv.Error as exc:
        raise InvalidInput(
            "csv", "the file", f"well-formed CSV ({exc}); nothing was imported"
        ) from None


def _parse(text: str) -> tuple[list[dict[str, Any]], list[RowError]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise InvalidInput(
            "csv header",
            ",".join(header),
            f"the columns {', '.join(COLUMNS)} (missing: {', '.join(missing)})",
        )
    unknown = [h for h in header if h not in (*COLUMNS, *OPTIONAL_COLUMNS)]
    if unknown:
        raise InvalidInput(
            "csv header",
            ",".join(header),
            f"only the columns {', '.join((*COLUMNS, *OPTIONAL_COLUMNS))} "
            f"(unknown: {', '.join(unknown)}); nothing was imported",
        )
    rows: list[dict[str, Any]] = []
    errors: list[RowError] = []
    seen_codes: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    for index, raw in enumerate(reader):
        line = index + 2
        if index >= MAX_ROWS:
            errors.append(RowError(line, "-", f"more than {MAX_ROWS} rows"))
            break
        row = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        row_errors = _check_row(row, line)
        if not row_errors:
            for key, seen, label in (
                ("code", seen_codes, "office code"),
                ("national_id", seen_ids, "national ID"),
            ):
                if row[key] in seen:
                    row_errors.append(
                        RowError(line, key, f"{label} {row[key]!r} repeats line {seen[row[key]]}")
                    )
                seen[row[key]] = line
        if row_errors:
            errors.extend(row_errors)
        else:
            row["_line"] = line
            rows.append(row)
    return rows, errors


def _check_row(row: dict[str, Any], line: int) -> list[RowError]:
    errors: list[RowError] = []
    for column in (*COLUMNS, *OPTIONAL_COLUMNS):
        if len(row.get(column, "")) > MAX_FIELD:
            errors.append(RowError(line, column, f"longer than {MAX_FIELD} characters"))
    for column in ("code", "name", "province"):
        if not row.get(column):
            errors.append(RowError(line, column, "is empty"))
    for column, limit, required in (
        ("name", MAX_FIELD, True),
        ("province", 64, True),
        ("holder_name", MAX_FIELD, False),
    ):
        try:
            row[column] = clean_name(
                row.get(column, ""), field=column, max_length=limit, required=required
            )
        except InvalidInput as exc:
            if row.get(column):
                errors.append(RowError(line, column, exc.allowed))
    if row.get("kind") not in OFFICE_KINDS:
        errors.append(
            RowError(line, "kind", f"{row.get('kind')!r} is not one of: " + ", ".join(OFFICE_KINDS))
        )
    region = read_whole_number(row.get("region", ""))
    if region is None or not 1 <= region <= 9:
        errors.append(RowError(line, "region", f"{row.get('region')!r} is not a region 1..9"))
    else:
        row["region"] = region
    try:
        row["national_id"] = validate_national_id(row.get("national_id", ""))
    except MohlatError as exc:
        errors.append(RowError(line, "national_id", str(getattr(exc, "allowed", exc))))
    try:
        row["code"] = clean_code(row.get("code", ""), field="code")
    except InvalidInput as exc:
        if row.get("code"):
            errors.append(RowError(line, "code", exc.allowed))
    return errors


def read_offices_file(path: Path) -> str:
    """The text of an offices CSV file; :class:`InvalidInput` for a file too large
    (more than ``MAX_ROWS`` rows' worth), unreadable, or not UTF-8."""
    try:
        if path.stat().st_size > MAX_ROWS * 1000:
            raise InvalidInput("file", str(path), f"at most {MAX_ROWS * 1000} bytes")
        return path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput("file", str(path), f"a readable UTF-8 CSV file ({exc})") from None


def list_offices(
    db: Database, *, actor: Actor, region: int | None = None, limit: int | None = 50
) -> list[OfficeView]:
    """Offices by code within the actor's remit (a supervisor: its region's), at most
    ``limit`` of them: the remit is part of the query, so the limit counts only them."""
    authorize(actor, "office.read")
    if limit is not None and limit < 1:
        raise InvalidInput("limit", limit, "a positive number of rows")
    visible, region = region_filter(actor, region)
    if not visible:
        return []
    with db.transaction(read_only=True) as tx:
        return [office_view(o) for o in q.list_offices(tx, region=region, limit=limit)]


def import_offices(
    db: Database, *, actor: Actor, text: str, now: datetime, skip_invalid: bool = False
) -> ImportReport:
    """Import the offices of a CSV text, with their holders' accounts; all or nothing,
    unless ``skip_invalid`` (then the bad rows are reported and left out)."""
    authorize(actor, "office.import")
    rows, errors = parse_offices(text)
    with db.transaction() as tx:
        existing = q.office_codes(tx, codes=[r["code"] for r in rows])
        taken = {a.username for a in q.list_accounts(tx)} if rows else set()
        good: list[dict[str, Any]] = []
        for r in rows:
            if r["code"] in existing:
                errors.append(RowError(r["_line"], "code", f"office {r['code']!r} exists already"))
            elif r["national_id"] in taken:
                errors.append(
                    RowError(
                        r["_line"], "national_id", f"{r['national_id']!r} already has an account"
                    )
                )
            else:
                good.append(r)
        if errors and not skip_invalid:
            raise InvalidCsv(errors)
        q.insert_offices(
            tx,
            rows=[
                {
                    "code": r["code"],
                    "name": r["name"],
                    "kind": r["kind"],
                    "region": r["region"],
                    "province": r["province"],
                    "national_id": r["national_id"],
                    "holder_name": r.get("holder_name", ""),
                }
                for r in good
            ],
        )
        ids = {o.code: o.id for o in q.list_offices(tx, region=None, limit=None)} if good else {}
        q.insert_accounts(
            tx,
            rows=[
                {
                    "username": r["national_id"],
                    "role": Role.OFFICE.value,
                    "region": r["region"],
                    "office_id": ids[r["code"]],
                    "password_hash": "",
                    "must_change_password": True,
                    "failed_logins": 0,
                    "created_at": now,
                }
                for r in good
            ],
        )
        opened = (
            sum(open_cases(tx, c, now=now, actor=actor.name) for c in q.list_campaigns(tx))
            if good
            else 0
        )
    return ImportReport(len(good), opened, errors)


def office_rows(offices: Iterable[dict[str, Any]]) -> str:
    """CSV text for office dicts (used by the demo to feed the real importer)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*COLUMNS, *OPTIONAL_COLUMNS])
    writer.writeheader()
    for office in offices:
        writer.writerow(office)
    return out.getvalue()
