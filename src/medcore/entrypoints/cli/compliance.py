"""``medcore retention run`` and ``medcore holds create|list|release``: the retention job
and legal holds for operators (registered on the main app by ``register``). Operators act
as the system actor of the organization named with ``--org``."""

from __future__ import annotations

import json
from typing import Annotated
from uuid import UUID

import typer
from returns.result import Result
from rich.progress import TaskID
from rich.table import Table

from medcore.application.compliance.place_legal_hold import PlaceLegalHoldCommand
from medcore.application.compliance.planning import RetentionPlan
from medcore.application.compliance.release_legal_hold import ReleaseLegalHoldCommand
from medcore.application.compliance.run_retention import Outcome, RunReport
from medcore.application.shared.actor import Actor, system_actor
from medcore.container import Container
from medcore.domain.compliance.engine import ClassTally, PlannedDisposal
from medcore.domain.compliance.holds import HoldScope, LegalHold
from medcore.domain.compliance.retention import Disposal
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery

retention_app = typer.Typer(help="Retention: dispose of records whose period has ended.", no_args_is_help=True)
holds_app = typer.Typer(help="Legal holds: stop disposal of a patient's, practitioner's or organization's records.")

OrgOption = Annotated[str | None, typer.Option("--org", help="Organization slug (default: every organization).")]
RequiredOrg = Annotated[str, typer.Option("--org", help="Organization slug.")]


def register(app: typer.Typer) -> None:
    app.add_typer(retention_app, name="retention")
    app.add_typer(holds_app, name="holds")


async def _actors(container: Container, slug: str | None) -> dict[str, Actor]:
    from medcore.entrypoints.cli.audit import _organizations

    return {s: system_actor(org_id, org_id) for org_id, s in (await _organizations(container, slug)).items()}


# --- retention run ------------------------------------------------------------------------


def _record_line(p: PlannedDisposal) -> dict[str, str | None]:
    return {
        "record_class": p.record_class.value,
        "source": p.source,
        "record_id": str(p.record_id),
        "patient_id": str(p.patient_id) if p.patient_id else None,
        "action": p.action.value,
        "due_on": p.decision.due_on.isoformat() if p.decision.due_on else None,
    }


def _summary(slug: str, plan: RetentionPlan, tallies: list[ClassTally], title: str) -> Table:
    table = Table(title=f"{title}: {slug} (as of {plan.as_of.isoformat()})")
    for column in ("class", "examined", "due", "held", *(d.value for d in Disposal), "total"):
        table.add_column(column, justify="left" if column == "class" else "right")
    for tally in tallies:
        table.add_row(
            tally.record_class.value,
            str(tally.examined),
            str(tally.due),
            str(tally.held),
            *(str(tally.disposed.get(d, 0)) for d in Disposal),
            str(tally.disposed_total),
        )
    return table


def _done_tallies(report: RunReport) -> list[ClassTally]:
    """The plan's tallies, with what was actually disposed of in place of what was due."""
    tallies = report.plan.tallies()
    by_class = {t.record_class: t for t in tallies}
    for tally in tallies:
        tally.disposed = {}
    for planned, outcome in report.outcomes:
        tally = by_class[planned.record_class]
        if outcome is Outcome.DISPOSED:
            tally.disposed[planned.action] = tally.disposed.get(planned.action, 0) + 1
        elif outcome is Outcome.HELD:
            tally.held += 1
    if report.audit is not None:
        from medcore.domain.compliance.retention import RecordClass

        audit = by_class.get(RecordClass.AUDIT_EVENT)
        if audit is not None:
            audit.disposed = {Disposal.DELETE: report.audit.disposed}
    return tallies


@retention_app.command("run")
def run(
    org: OrgOption = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be disposed of; change nothing.")] = False,
    limit: Annotated[
        int | None,
        typer.Option(min=1, help="Dispose of at most this many records (per organization); the next run resumes."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the records (dry run) or the disposals as JSON.")
    ] = False,
) -> None:
    """Find the records whose retention period has ended (the organization's policy), skip
    those under a legal hold, and delete, anonymise or archive each, with an audit event per
    disposal. Idempotent; an interrupted run is resumed by the next one. Audit events past
    their period go last, behind the newest signed checkpoint."""
    from medcore.entrypoints.cli.main import _run, _unwrap, err, out, progress_bar

    async def work(container: Container) -> None:
        actors = await _actors(container, org)
        records: list[dict[str, str | None]] = []
        for slug, actor in actors.items():
            if dry_run:
                plan = _unwrap(await container.use_cases.plan_retention().execute(actor))
                chosen = plan.disposals if limit is None else plan.disposals[:limit]
                records.extend({"organization": slug, **_record_line(p)} for p in chosen)
                if not as_json:
                    listing = Table(title=f"Would dispose of ({slug})")
                    for column in ("class", "source", "record", "action", "due on"):
                        listing.add_column(
                            column, no_wrap=column == "record", min_width=36 if column == "record" else None
                        )
                    for p in chosen:
                        line = _record_line(p)
                        listing.add_row(
                            p.record_class.value, p.source, str(p.record_id), p.action.value, line["due_on"]
                        )
                    out.print(listing)
                    out.print(_summary(slug, plan, plan.tallies(), "Retention dry run"))
                    if plan.audit is not None and plan.audit.blocked:
                        out.print(f"Audit events: {plan.audit.due} due, kept: {plan.audit.blocked}.")
                continue
            with progress_bar("records") as progress:
                task = progress.add_task(slug, total=None)

                def advance(_planned: PlannedDisposal, _outcome: Outcome, task: TaskID = task) -> None:
                    progress.advance(task)

                plan = _unwrap(await container.use_cases.plan_retention().execute(actor))
                total = len(plan.disposals) if limit is None else min(limit, len(plan.disposals))
                progress.update(task, total=total)
                report = _unwrap(
                    await container.use_cases.run_retention().execute(actor, limit=limit, progress=advance)
                )
            records.extend({"organization": slug, **_record_line(p), "outcome": o.value} for p, o in report.outcomes)
            if not as_json:
                if report.resumed:
                    out.print(f"Resumed the interrupted run {report.run.id} (as of {report.run.as_of.isoformat()}).")
                out.print(_summary(slug, report.plan, _done_tallies(report), "Retention run"))
                if report.audit_error is not None:
                    err.print(f"[yellow]Audit events kept: {report.audit_error.message}[/yellow]")
                elif report.plan.audit is not None and report.plan.audit.blocked:
                    out.print(f"Audit events: {report.plan.audit.due} due, kept: {report.plan.audit.blocked}.")
                if not report.complete:
                    out.print("Stopped at --limit: the next run resumes this one.")
        if as_json:
            out.print_json(json.dumps(records))

    _run(work)


# --- holds --------------------------------------------------------------------------------


def _hold_table(holds: list[LegalHold]) -> Table:
    table = Table(title="Legal holds")
    for column in ("id", "scope", "subject", "placed", "released", "reason"):
        ids = column in ("id", "subject")
        table.add_column(column, no_wrap=ids, min_width=36 if ids else None)
    for hold in holds:
        table.add_row(
            str(hold.id),
            hold.scope.value,
            str(hold.subject_id or ""),
            hold.placed_at.isoformat(timespec="seconds"),
            hold.released_at.isoformat(timespec="seconds") if hold.released_at else "",
            hold.reason,
        )
    return table


@holds_app.command("create")
def create_hold(
    org: RequiredOrg,
    scope: Annotated[HoldScope, typer.Option(help="patient, practitioner or organization.")],
    reason: Annotated[str, typer.Option(help="Why (a matter, a request from an authority...).")],
    subject: Annotated[UUID | None, typer.Option(help="The patient or practitioner id (not for organization).")] = None,
) -> None:
    """Place a legal hold: nothing in its scope is disposed of until it is released."""
    from medcore.entrypoints.cli.main import _run, _unwrap, out

    async def work(container: Container) -> LegalHold:
        (actor,) = (await _actors(container, org)).values()
        command = PlaceLegalHoldCommand(scope=scope, reason=reason, subject_id=subject)
        placed: Result[LegalHold, DomainError] = await container.use_cases.place_legal_hold().execute(actor, command)
        return _unwrap(placed)

    hold = _run(work)
    out.print(_hold_table([hold]))


@holds_app.command("list")
def list_holds(
    org: RequiredOrg,
    include_released: Annotated[bool, typer.Option("--all", help="Released holds too.")] = False,
) -> None:
    """The organization's legal holds (active ones unless --all)."""
    from medcore.entrypoints.cli.main import _run, _unwrap, out

    async def work(container: Container) -> list[LegalHold]:
        (actor,) = (await _actors(container, org)).values()
        holds: list[LegalHold] = []
        cursor: str | None = None
        while True:
            query = ListQuery(limit=200, cursor=cursor, filters={} if include_released else {"active": True})
            page = _unwrap(await container.use_cases.list_legal_holds().execute(actor, query))
            holds.extend(page.items)
            cursor = page.next_cursor
            if cursor is None:
                return holds

    out.print(_hold_table(_run(work)))


@holds_app.command("release")
def release_hold(
    hold_id: Annotated[UUID, typer.Argument(help="The hold's id.")],
    org: RequiredOrg,
    note: Annotated[str | None, typer.Option(help="Why it ends.")] = None,
) -> None:
    """Release a legal hold; the next retention run disposes of what it kept, if due."""
    from medcore.entrypoints.cli.main import _run, _unwrap, out

    async def work(container: Container) -> LegalHold:
        (actor,) = (await _actors(container, org)).values()
        released: Result[LegalHold, DomainError] = await container.use_cases.release_legal_hold().execute(
            actor, ReleaseLegalHoldCommand(hold_id=hold_id, note=note)
        )
        return _unwrap(released)

    out.print(_hold_table([_run(work)]))
