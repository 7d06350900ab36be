"""``medcore gdpr export|erase`` and ``medcore anonymise``: the GDPR operator commands
(registered on the main app by ``register``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer
from returns.result import Failure
from rich.table import Table

from medcore.application.gdpr.erase_patient import ErasePatient, ErasePatientCommand
from medcore.application.gdpr.report import ErasureReport
from medcore.application.shared.actor import Actor, system_actor
from medcore.container import Container
from medcore.domain.identity.organization import OrganizationSlug

gdpr_app = typer.Typer(help="GDPR: a patient's data export and erasure.", no_args_is_help=True)

OrgOption = Annotated[str, typer.Option("--org", help="Organization slug.")]
PatientOption = Annotated[UUID, typer.Option("--patient", help="The patient record's id.")]


def register(app: typer.Typer) -> None:
    app.add_typer(gdpr_app, name="gdpr")
    app.command("anonymise")(anonymise)


async def _actor(container: Container, slug: str) -> Actor:
    from medcore.entrypoints.cli.main import err

    async with container.use_cases.unit_of_work() as uow:
        parsed = OrganizationSlug.parse(slug, field="org")
        organization = await uow.organizations.by_slug(parsed.unwrap()) if not isinstance(parsed, Failure) else None
    if organization is None:
        err.print(f"[red]No organization '{slug}'.[/red]")
        raise typer.Exit(1)
    return system_actor(organization.id, organization.id)


@gdpr_app.command("export")
def export(
    org: OrgOption,
    patient: PatientOption,
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the archive here (default: ./medcore-export-<id>.zip).")
    ] = None,
) -> None:
    """Export every record about a patient as a zip (JSON per record type, a FHIR R4 Bundle,
    the record's audit trail, a README and a manifest with SHA-256 digests). The archive is
    also kept in the blob store for 7 days, like one requested through the API. Audited."""
    from medcore.entrypoints.cli.main import _run, _unwrap, out

    async def work(container: Container) -> tuple[Any, bytes]:
        actor = await _actor(container, org)
        created = _unwrap(await container.use_cases.request_patient_export().execute(actor, patient))
        downloaded = _unwrap(await container.use_cases.download_patient_export().execute(actor, patient, created.id))
        return created, downloaded.data

    created, data = _run(work)
    target = out_file or Path(f"medcore-export-{created.id}.zip")
    target.write_bytes(data)
    target.chmod(0o600)
    out.print(f"Export {created.id}: {len(data)} bytes, {created.members} members, sha256 {created.sha256}")
    out.print(f"Written to {target}")


def _report_table(report: ErasureReport) -> Table:
    table = Table(title="Erasure (dry run: nothing changed)" if report.dry_run else "Erasure")
    for column in ("records", "outcome", "count", "legal basis"):
        table.add_column(column, justify="right" if column == "count" else "left")
    for line in report.lines:
        basis = ""
        if line.basis is not None:
            b = line.basis
            if b.hold_ids:
                basis = "legal hold " + ", ".join(str(h) for h in b.hold_ids)
            elif b.until is not None:
                period = f"{b.years}y" + (f"{b.months}m" if b.months else "")
                basis = f"{b.preset} {b.record_class} {period} from {b.anchor}, until {b.until.isoformat()}"
            else:
                basis = b.kind.value.replace("_", " ")
        table.add_row(line.subject.replace("_", " "), line.outcome.value, str(line.total), basis)
    return table


@gdpr_app.command("erase")
def erase(
    org: OrgOption,
    patient: PatientOption,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would happen; change nothing.")] = False,
) -> None:
    """Erase or anonymise what no retention rule or legal hold requires keeping, and show
    per record class what was erased, anonymised and kept, with the legal basis. Run it
    with the database owner's URL so that raw IP addresses can be redacted from the audit
    trail (the application's role may not). Audited."""
    from medcore.entrypoints.cli.main import _run, _unwrap, out

    async def work(container: Container) -> ErasureReport:
        actor = await _actor(container, org)
        eraser: ErasePatient = container.use_cases.erase_patient()
        return _unwrap(await eraser.execute(actor, ErasePatientCommand(patient_id=patient, dry_run=dry_run)))

    out.print(_report_table(_run(work)))


def anonymise(
    org: OrgOption,
    to: Annotated[str, typer.Option("--to", help="URL of the target PostgreSQL database.")],
    migrate: Annotated[
        bool, typer.Option("--migrate", help="Migrate the target database to head first if it is behind.")
    ] = False,
) -> None:
    """Copy one organization into another database with identities replaced (names, emails,
    phones, addresses, record numbers; dates of birth shifted; free text blanked),
    consistently across tables. The target must be migrated to head and not hold the
    organization. Audit trail, sessions and keys are not copied."""
    from medcore import bootstrap
    from medcore.entrypoints.cli.main import _run, _unwrap, err, out

    try:
        bootstrap.ensure_schema(to, apply=migrate)
    except bootstrap.PendingMigrations as exc:
        err.print(f"[red]The target database: {exc}[/red] (add --migrate)")
        raise typer.Exit(2) from exc

    async def work(container: Container) -> Any:
        actor = await _actor(container, org)
        return _unwrap(await container.use_cases.anonymise_organization().execute(actor, to))

    counts = _run(work)
    table = Table(title=f"Anonymised copy of {org}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, count in counts.items():
        table.add_row(name, str(count))
    out.print(table)
