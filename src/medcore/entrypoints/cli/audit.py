"""``medcore audit checkpoint|verify`` and ``medcore db roles``: the audit trail's operator
commands (registered on the main app by ``register``)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Annotated, TypeVar
from uuid import UUID

import typer
from returns.result import Failure
from rich.progress import TaskID
from rich.table import Table

from medcore.application.audit.create_checkpoints import CheckpointOutcome, CheckpointResult
from medcore.application.audit.verify_trail import VerifyAuditTrail
from medcore.container import Container
from medcore.domain.audit.verification import VerificationReport
from medcore.domain.identity.organization import OrganizationSlug
from medcore.settings import SettingsError

T = TypeVar("T")

audit_app = typer.Typer(help="The tamper-evident audit trail: signed checkpoints, verification.", no_args_is_help=True)

OrgOption = Annotated[
    str | None, typer.Option("--org", help="Organization slug (default: every organization with a trail).")
]


def register(app: typer.Typer, db_app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
    db_app.command("roles")(db_roles)


async def _organizations(container: Container, slug: str | None) -> dict[UUID, str]:
    """Ids and slugs of the organizations a command works on."""
    from medcore.entrypoints.cli.main import err

    async with container.use_cases.unit_of_work() as uow:
        if slug is not None:
            parsed = OrganizationSlug.parse(slug, field="org")
            organization = await uow.organizations.by_slug(parsed.unwrap()) if not isinstance(parsed, Failure) else None
            if organization is None:
                err.print(f"[red]No organization '{slug}'.[/red]")
                raise typer.Exit(1)
            return {organization.id: organization.slug.value}
        found: dict[UUID, str] = {}
        for organization_id in await uow.audit_log.organizations():
            organization = await uow.organizations.get(organization_id)
            found[organization_id] = organization.slug.value if organization is not None else str(organization_id)
        return found


def _guarded(run: Callable[[], T]) -> T:
    """Keys are read when first needed: a missing or unreadable one is a configuration error."""
    from medcore.entrypoints.cli.main import err

    try:
        return run()
    except SettingsError as exc:
        err.print(f"[red]Configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc


# --- checkpoint -------------------------------------------------------------------------


@audit_app.command("checkpoint")
def checkpoint(
    org: OrgOption = None,
    every: Annotated[
        int | None,
        typer.Option(min=1, help="Keep running: take checkpoints every this many minutes (a long-running job)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Sign even when nothing changed since the last one.")] = False,
    rounds: Annotated[int | None, typer.Option(hidden=True, min=1)] = None,
) -> None:
    """Sign the head of each organization's audit chain (Ed25519, MEDCORE_AUDIT_SIGNING_KEY)
    and keep the signed checkpoint in the blob store and in the database. Run it often (a
    cron line, or --every): whatever is rewritten before a checkpoint is caught by verify."""
    from medcore.entrypoints.cli.main import _run, out

    async def work(container: Container) -> list[tuple[CheckpointOutcome, str]]:
        organizations = await _organizations(container, org)
        outcomes = await container.use_cases.create_audit_checkpoints().execute(list(organizations), force=force)
        return [(o, organizations[o.organization_id]) for o in outcomes]

    done = 0
    while True:
        outcomes = _guarded(lambda: _run(work))
        table = Table(title="Audit checkpoints")
        for column in ("organization", "result", "event", "hash", "key"):
            table.add_column(column)
        for outcome, slug in outcomes:
            point = outcome.checkpoint
            table.add_row(
                slug,
                outcome.result.value,
                str(point.sequence) if point else "",
                point.hash[:16] + "…" if point else "",
                point.key_id if point and outcome.result is CheckpointResult.CREATED else "",
            )
        out.print(table)
        done += 1
        if every is None or (rounds is not None and done >= rounds):
            return
        time.sleep(every * 60)


# --- verify -----------------------------------------------------------------------------


@audit_app.command("verify")
def verify(
    org: OrgOption = None,
    from_checkpoint: Annotated[
        bool,
        typer.Option("--from-checkpoint", help="Start at the newest valid checkpoint (quick) instead of the start."),
    ] = False,
) -> None:
    """Recompute each organization's hash chain and check it against the signed checkpoints
    (database and blob-store copies). Prints the first broken link and exits 1 when an
    event was changed, deleted, inserted or reordered, the tail was cut, or a checkpoint
    was tampered with."""
    from medcore.entrypoints.cli.main import _run, err, out, progress_bar

    async def work(container: Container) -> tuple[list[tuple[VerificationReport, str, float]], bool]:
        verifier: VerifyAuditTrail = container.use_cases.verify_audit_trail()
        organizations = await _organizations(container, org)
        reports = []
        with progress_bar("events") as progress:
            for organization_id, slug in organizations.items():
                total = await verifier.event_count(organization_id, from_checkpoint)
                task = progress.add_task(slug, total=total)
                started = time.perf_counter()

                def advance(_organization: UUID, count: int, task: TaskID = task) -> None:
                    progress.advance(task, count)

                report = await verifier.verify(organization_id, from_checkpoint, advance)
                reports.append((report, slug, time.perf_counter() - started))
        return reports, verifier.checks_raw_values

    reports, checked_raw_values = _guarded(lambda: _run(work))
    table = Table(title="Audit trail verification")
    for column in ("organization", "from", "events", "last", "checkpoints", "seconds", "result"):
        table.add_column(column, justify="right" if column in ("events", "last", "checkpoints", "seconds") else "left")
    for report, slug, seconds in reports:
        start = "start" if report.anchor.reason == "genesis" else f"{report.anchor.reason} {report.anchor.sequence}"
        table.add_row(
            slug,
            start,
            str(report.events_checked),
            str(report.last_sequence or ""),
            str(report.checkpoints_checked),
            f"{seconds:.1f}",
            "[green]intact[/green]" if report.intact else f"[red]{len(report.findings)} finding(s)[/red]",
        )
    out.print(table)
    broken = [(report, slug) for report, slug, _ in reports if not report.intact]
    for report, slug in broken:
        first = report.first_broken
        assert first is not None
        err.print(
            f"[red]{slug}: first broken link at event {first.sequence}: {first.kind.value}[/red] - {first.message}"
        )
        for finding in report.findings:
            if finding is not first:
                err.print(f"  {finding.kind.value} at {finding.sequence}: {finding.message}")
        if report.findings_not_listed:
            err.print(f"  ... and {report.findings_not_listed} more")
    if not checked_raw_values:
        out.print("Raw IP addresses and user agents were not checked against their digests: no MEDCORE_SECRET_KEY.")
    if broken:
        raise typer.Exit(1)
    if not reports:
        out.print("No audit trail to verify.")


# --- db roles ---------------------------------------------------------------------------


def db_roles(
    app_role: Annotated[str, typer.Option("--app-role", help="Name of the application's database role.")],
    password: Annotated[
        str | None,
        typer.Option(help="Its password (else MEDCORE_APP_ROLE_PASSWORD; else none: certificate or peer login)."),
    ] = None,
    print_sql: Annotated[bool, typer.Option("--print-sql", help="Print the SQL instead of running it.")] = False,
) -> None:
    """Create or update the role the server should connect with: it reads and appends to the
    audit trail but can neither change nor delete it (no UPDATE, DELETE, TRUNCATE on the
    audit tables, owns no table). Run it as the tables' owner, and again after each upgrade."""
    from medcore import bootstrap
    from medcore.entrypoints.cli.main import _settings, err, out

    secret = password or os.environ.get("MEDCORE_APP_ROLE_PASSWORD") or None
    try:
        if print_sql:
            for statement in bootstrap.app_role_sql(app_role, "<password>" if secret else None):
                print(statement + ";")
            return
        settings = _settings()
        with bootstrap.database(settings) as handle:
            bootstrap.apply_app_role(handle.url, app_role, secret)
    except bootstrap.RoleNameError as exc:
        err.print(f"[red]--app-role: {exc}.[/red]")
        raise typer.Exit(2) from exc
    out.print(
        f"Role {app_role} may use the schema; the audit trail is append-only for it. "
        "Point MEDCORE_DATABASE_URL of the server at this role."
    )
