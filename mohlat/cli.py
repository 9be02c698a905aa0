"""The command line: ``mohlat`` (Typer + Rich).

Thin on purpose: it parses, identifies the actor, calls one service, prints. Who may
do what, the queries and the rules are the services' (:mod:`mohlat.services`); the
JSON shapes are :mod:`mohlat.views`', the tables :mod:`mohlat.render`'s. This module
holds the app and the case actions; the other groups are in :mod:`mohlat.commands`.
Exit codes come from the error hierarchy in one place (:class:`_Group`): 0 done, 1
refused by a rule (deadline, state, permission), 2 bad usage or bad input. Nothing
here imports the database layer at import time, so ``mohlat --help`` stays fast.

Public reads (``campaign list/show``, ``holiday list``, a published ``ranking``) log
in only when ``$MOHLAT_USER`` is set; ``scheduler tick/run`` never log in: they are
the server host operator's and act as the system.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from typing import Annotated, Any

import typer
from rich.markup import escape
from typer.core import TyperGroup

from mohlat.calendars import normalize_digits
from mohlat.commands import register_all
from mohlat.commands.common import (
    CampaignOption,
    CaseArg,
    DbOption,
    FieldOption,
    IfVersionOption,
    OptionalCaseArg,
    ViolationOption,
    err_console,
    state,
)
from mohlat.commands.common import ok as _ok
from mohlat.display import use_persian_digits
from mohlat.errors import MohlatError
from mohlat.params import pairs as _pairs
from mohlat.workflow.definition import ACTIONS

__all__ = ["app", "main"]

log = logging.getLogger("mohlat")


class _Group(TyperGroup):
    """The root command group: maps mohlat's errors to a message and an exit code."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except MohlatError as exc:
            err_console.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True)
            raise typer.Exit(exc.exit_code) from None


app = typer.Typer(
    cls=_Group,
    name="mohlat",
    help="mohlat (مهلت): evaluation and ranking of counter offices and rural ICT offices, "
    "with Jalali-calendar deadlines enforced by itself.\n\n"
    "Try `mohlat demo` for a whole campaign on a throwaway database.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode="markdown",
)


register_all(app)


@app.callback()
def _root(
    db: DbOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log what happens.")] = False,
    fa: Annotated[bool, typer.Option("--fa", help="Show dates with Persian digits.")] = False,
) -> None:
    state["db_url"] = db
    use_persian_digits(fa or os.environ.get("MOHLAT_FA", "") == "1")
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )


def main() -> None:
    """Entry point of the ``mohlat`` console script."""
    app()


# --- case actions --------------------------------------------------------------------


def _text_help(action: str, what: str) -> str:
    """An option's help for the text ``action`` takes, from its declared rule."""
    rule = ACTIONS[action]
    need = "required; " if rule.reason_required else ""
    return f"{what} ({need}at most {rule.max_text} characters; it goes on the timeline)."


def _case_action(
    action: str,
    case: str | None,
    campaign: str | None,
    *,
    fields: Sequence[str] | None = None,
    association: str | None = None,
    violations: Sequence[str] | None = None,
    text: str | None = None,
    describe: Callable[[Any], str] | None = None,
    disputes: tuple[str, ...] = (),
    if_version: int | None = None,
) -> None:
    from mohlat.api.cases import INPUT_PARAMS
    from mohlat.commands.gateway import call
    from mohlat.workflow.definition import Input

    declared = _pairs(fields, "field")
    given_as: dict[Input, Any] = {
        Input.DECLARATION: declared,
        Input.FIELDS: declared,
        Input.ASSOCIATION_SCORE: association,
        Input.VIOLATIONS: _pairs(violations, "violation"),
        Input.TEXT: text,
        Input.DISPUTES: list(disputes),
    }
    given = {INPUT_PARAMS[i]: given_as[i] for i in ACTIONS[action].inputs}
    given["case"] = normalize_digits(case) if case else None
    summary = call(f"case.{action}", campaign=campaign, if_version=if_version, **given)
    _ok(
        f"{action}: case {summary.id} ({summary.office}) is now {summary.state}"
        + (f"; {describe(summary)}" if describe else "")
    )


@app.command()
def declare(
    case: OptionalCaseArg = None,
    campaign: CampaignOption = None,
    field: FieldOption = None,
    if_version: IfVersionOption = None,
) -> None:
    """Self-declare your office's data (you may declare again until the window closes).

    Example: `mohlat declare -f office_space=64 -f staff_count=4 -f location=city -f holder_years=6`
    """
    _case_action("declare", case, campaign, fields=field, if_version=if_version)


@app.command()
def review(
    case: CaseArg,
    campaign: CampaignOption = None,
    field: FieldOption = None,
    association: Annotated[
        str | None, typer.Option(help="The provincial association's score.", show_default=False)
    ] = None,
    violation: ViolationOption = None,
    note: Annotated[
        str | None,
        typer.Option(help=_text_help("review", "A note for the timeline"), show_default=False),
    ] = None,
    if_version: IfVersionOption = None,
) -> None:
    """Check and complete a case's data; record the association score and violations.

    Example: `mohlat review 17 --association 16 --violation overcharging=1 -f staff_count=5`
    """
    _case_action(
        "review",
        case,
        campaign,
        fields=field,
        association=association,
        violations=violation,
        text=note,
        if_version=if_version,
    )


@app.command()
def refer(
    case: CaseArg,
    reason: Annotated[str, typer.Option(help=_text_help("refer", "What must be corrected"))],
    campaign: CampaignOption = None,
    if_version: IfVersionOption = None,
) -> None:
    """Send a case back to the office for correction (pauses the review clock).

    Example: `mohlat refer 17 --reason "staff count does not match the insurance list"`
    """
    _case_action("refer", case, campaign, text=reason, if_version=if_version)


@app.command()
def correct(
    case: OptionalCaseArg = None,
    campaign: CampaignOption = None,
    field: FieldOption = None,
    note: Annotated[
        str | None,
        typer.Option(help=_text_help("correct", "A note for the region"), show_default=False),
    ] = None,
    if_version: IfVersionOption = None,
) -> None:
    """Return a referred file with corrections (resumes the region's review clock).

    Example: `mohlat correct -f staff_count=3 --note "insurance list attached"`
    """
    _case_action("correct", case, campaign, fields=field, text=note, if_version=if_version)


@app.command()
def approve(
    case: CaseArg,
    campaign: CampaignOption = None,
    note: Annotated[
        str | None,
        typer.Option(help=_text_help("approve", "A note for the timeline"), show_default=False),
    ] = None,
    if_version: IfVersionOption = None,
) -> None:
    """Mark a case's review done (after publication this ranks it at once).

    Example: `mohlat approve 17`
    """
    _case_action("approve", case, campaign, text=note, if_version=if_version)


@app.command()
def publish(campaign: CampaignOption = None) -> None:
    """Publish a campaign's ranks before its review window closes (once every case is
    reviewed). Otherwise the scheduler publishes when the window closes.

    Example: `mohlat publish -c 1400-2`
    """
    from mohlat.commands.gateway import call

    with err_console.status("publishing"):
        done = call("campaign.publish", campaign=campaign)
    _ok(f"published: {done.positions} case(s) ranked")


@app.command()
def appeal(
    case: OptionalCaseArg = None,
    campaign: CampaignOption = None,
    text: Annotated[str, typer.Option(help=_text_help("appeal", "Your written objection"))] = "",
    field: Annotated[
        list[str] | None,
        typer.Option(
            "--dispute",
            help="A field whose evaluation you dispute (repeatable).",
            show_default=False,
        ),
    ] = None,
    if_version: IfVersionOption = None,
) -> None:
    """Object to your rank, in writing, within the appeal window.

    Example: `mohlat appeal --text "the office area is 80 m², see the lease" --dispute office_space`
    """
    _case_action(
        "appeal", case, campaign, text=text, disputes=tuple(field or ()), if_version=if_version
    )


@app.command()
def decide(
    case: CaseArg,
    reason: Annotated[str, typer.Option(help=_text_help("decide", "The decision's reasons"))],
    campaign: CampaignOption = None,
    field: FieldOption = None,
    association: Annotated[
        str | None, typer.Option(help="A corrected association score.", show_default=False)
    ] = None,
    violation: ViolationOption = None,
    if_version: IfVersionOption = None,
) -> None:
    """Decide an appeal: re-examine, optionally correct inputs, re-sum; the rank is final.

    Example: `mohlat decide 17 --reason "lease confirms 80 m²" -f office_space=80`
    """
    _case_action(
        "decide",
        case,
        campaign,
        fields=field,
        association=association,
        violations=violation,
        text=reason,
        describe=lambda c: (
            f"final {c.final_total:g} (grade {c.final_grade}), was {c.total:g} ({c.grade})"
        ),
        if_version=if_version,
    )
