"""Signed chain heads: the anchor of the timelines outside the database.

Every case's hash chain uses a public hash function, so someone who can write the
database can rebuild a whole chain (and the case's counters) after an edit, and the
chain alone still holds. :func:`export_heads` writes down, for every case, how many
events it has and the hash of the last one, and for every campaign how many events
its cases hold and its rubric's SHA-256, signed with HMAC-SHA256 under the *chain
key*: a secret that only the server host holds (a key file, or its environment),
never stored in the database. Kept elsewhere, such a file lets
:func:`~mohlat.services.verify.verify_timelines` check that every chain still runs
through the head exported (same hash at that seq, no fewer events), which a rebuilt
or wiped chain does not.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mohlat.errors import InvalidInput
from mohlat.services.access import Actor, authorize
from mohlat.store import Database, audit
from mohlat.workflow.timeline import canonical

__all__ = [
    "CHAIN_KEY_ENV",
    "CHAIN_KEY_FILE_ENV",
    "FORMAT",
    "CampaignHead",
    "CaseHead",
    "Heads",
    "chain_key",
    "export_heads",
    "load_heads",
]

#: the setting naming the file that holds the chain key
CHAIN_KEY_FILE_ENV = "MOHLAT_CHAIN_KEY_FILE"
#: the setting holding the chain key itself (when there is no key file)
CHAIN_KEY_ENV = "MOHLAT_CHAIN_KEY"
#: what a heads file says it is
FORMAT = "mohlat-heads/1"

_PAGE = 10_000
#: the shortest chain key accepted, in bytes
_MIN_KEY = 16


@dataclass(frozen=True)
class CaseHead:
    """A case's chain as exported."""

    campaign_id: int
    event_count: int
    last_hash: str


@dataclass(frozen=True)
class CampaignHead:
    """A campaign as exported."""

    code: str
    event_count: int
    rubric_sha256: str


@dataclass(frozen=True)
class Heads:
    """A heads file whose signature holds."""

    cases: dict[int, CaseHead]
    campaigns: dict[int, CampaignHead]


def chain_key(settings: Mapping[str, str]) -> bytes:
    """The chain key from the server's settings (its environment): the contents of
    the file named by ``MOHLAT_CHAIN_KEY_FILE``, else ``MOHLAT_CHAIN_KEY``; refused
    if neither is set, the file cannot be read, or the key is shorter than 16 bytes."""
    path = settings.get(CHAIN_KEY_FILE_ENV, "").strip()
    if path:
        try:
            key = Path(path).read_bytes().strip()
        except OSError as exc:
            raise InvalidInput(
                CHAIN_KEY_FILE_ENV, path, f"a readable file holding the chain key ({exc.strerror})"
            ) from None
        source = CHAIN_KEY_FILE_ENV
    else:
        key = settings.get(CHAIN_KEY_ENV, "").strip().encode()
        source = CHAIN_KEY_ENV
        if not key:
            raise InvalidInput(
                CHAIN_KEY_FILE_ENV,
                None,
                f"the chain key: set {CHAIN_KEY_FILE_ENV} to a file only the server can "
                f"read (or {CHAIN_KEY_ENV} to the key itself)",
            )
    if len(key) < _MIN_KEY:
        raise InvalidInput(source, "(hidden)", f"a chain key of at least {_MIN_KEY} bytes")
    return key


def _mac(key: bytes, body: Mapping[str, Any]) -> str:
    return hmac.new(key, canonical(body).encode(), hashlib.sha256).hexdigest()


def export_heads(db: Database, *, actor: Actor, key: bytes) -> str:
    """Every case's and campaign's head as a signed JSON document (see the module
    docstring). Only an admin may export; the heads are read a page at a time, each
    page in its own transaction (export when nothing writes for a consistent file:
    a head exported mid-write is still a true prefix of its chain)."""
    authorize(actor, "timeline.verify")
    with db.transaction(read_only=True) as tx:
        records = audit.campaign_records(tx)
    cases: dict[str, dict[str, Any]] = {}
    after = 0
    while True:
        with db.transaction(read_only=True) as tx:
            page = audit.head_page(tx, after_case_id=after, limit=_PAGE)
        if not page:
            break
        for case_id, campaign_id, count, last_hash in page:
            cases[str(case_id)] = {
                "campaign": campaign_id,
                "event_count": count,
                "last_hash": last_hash,
            }
        after = page[-1][0]
    body = {
        "format": FORMAT,
        "campaigns": {
            str(r.campaign_id): {
                "code": r.code,
                "event_count": r.event_count,
                "rubric_sha256": r.rubric_sha256,
            }
            for r in records.values()
        },
        "cases": cases,
    }
    return json.dumps({**body, "mac": _mac(key, body)}, ensure_ascii=False, sort_keys=True)


def load_heads(text: str | bytes, *, key: bytes) -> Heads:
    """A heads file read back, if it is one this key signed and nobody edited;
    otherwise :class:`~mohlat.errors.InvalidInput` saying so."""
    refused = InvalidInput(
        "heads file",
        "(its signature)",
        "a file written by `mohlat heads export` with this server's chain key: it was "
        "signed with another key, or edited since",
    )
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError, RecursionError):  # nested too deeply: not ours
        raise InvalidInput(
            "heads file", "(not JSON)", "a file written by `mohlat heads export`"
        ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise InvalidInput("heads file", "(unknown format)", f"a {FORMAT} file")
    mac = data.pop("mac", None)
    if not isinstance(mac, str) or not hmac.compare_digest(mac, _mac(key, data)):
        raise refused
    try:
        return Heads(
            cases={
                int(case_id): CaseHead(int(h["campaign"]), int(h["event_count"]), h["last_hash"])
                for case_id, h in data["cases"].items()
            },
            campaigns={
                int(campaign_id): CampaignHead(
                    str(h["code"]), int(h["event_count"]), str(h["rubric_sha256"])
                )
                for campaign_id, h in data["campaigns"].items()
            },
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        raise refused from None
