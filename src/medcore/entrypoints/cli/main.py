"""The ``medcore`` command: serve the API, manage the schema, create organizations and
users, seed demo data. Operators' batch jobs join here as subcommands."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

import typer
from returns.result import Failure, Result
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from medcore import bootstrap
from medcore.application.identity.create_organization import CreateOrganizationCommand
from medcore.application.identity.create_user import CreateUserCommand
from medcore.application.shared.actor import system_actor
from medcore.container import Container, resolve_secret_key
from medcore.domain.identity.organization import OrganizationSlug
from medcore.domain.identity.permissions import Role
from medcore.domain.shared.errors import DomainError
from medcore.entrypoints.logging import configure_logging
from medcore.settings import Settings, SettingsError, load_settings

T = TypeVar("T")

app = typer.Typer(
    help="medcore: the backend for medical practices and clinic networks.",
    no_args_is_help=True,
    # A crash shows where, never the values of local variables: they may be health data.
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
orgs_app = typer.Typer(help="Organizations (tenants).", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)
demo_app = typer.Typer(help="Demo data.", no_args_is_help=True)
reminders_app = typer.Typer(help="Appointment reminders.", no_args_is_help=True)
health_reminders_app = typer.Typer(help="Health reminders for patients.", no_args_is_help=True)
prescriptions_app = typer.Typer(help="Prescriptions.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(orgs_app, name="orgs")
app.add_typer(users_app, name="users")
app.add_typer(demo_app, name="demo")
app.add_typer(reminders_app, name="reminders")
app.add_typer(health_reminders_app, name="health-reminders")
app.add_typer(prescriptions_app, name="prescriptions")

out = Console()
err = Console(stderr=True)


def progress_bar(unit: str = "") -> Progress:
    """A batch job's progress on the operator's terminal (stderr; silent when it is not a
    terminal): one bar per task, named by the task's description."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn(unit),
        TimeElapsedColumn(),
        console=err,
        disable=not err.is_terminal,
    )


def _settings() -> Settings:
    try:
        settings = load_settings()
    except SettingsError as exc:
        err.print(f"[red]Configuration error:[/red] {exc}")
        raise typer.Exit(2) from exc
    configure_logging(settings.log_level, "console" if sys.stderr.isatty() else settings.log_format)
    return settings


def _fail(error: DomainError) -> typer.Exit:
    err.print(f"[red]{error.message}[/red] ({error.code})")
    for issue in error.fields:
        err.print(f"  {issue.field}: {issue.message}")
    return typer.Exit(1)


def _run(work: Callable[[Container], Awaitable[T]], *, migrate_if_needed: bool = False) -> T:
    """Run ``work`` against a migrated database with a fresh container."""
    settings = _settings()
    with bootstrap.database(settings) as handle:
        try:
            bootstrap.ensure_schema(handle.url, apply=migrate_if_needed)
        except bootstrap.PendingMigrations as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
        container = bootstrap.container_for(settings, handle.url)

        async def main() -> T:
            try:
                return await work(container)
            finally:
                await container.gateways.engine().dispose()

        return asyncio.run(main())


def _unwrap(result: Result[T, DomainError]) -> T:
    if isinstance(result, Failure):
        raise _fail(result.failure())
    return result.unwrap()


# --- serve ------------------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes.")] = 1,
    demo: Annotated[
        bool,
        typer.Option("--demo", help="Migrate, seed the demo organization and print its logins."),
    ] = False,
    apply_migrations: Annotated[bool, typer.Option("--migrate", help="Apply pending migrations first.")] = False,
) -> None:
    """Serve the HTTP API (granian, ASGI)."""
    from granian.constants import Interfaces
    from granian.server import Server

    settings = _settings()
    with bootstrap.database(settings) as handle:
        try:
            bootstrap.ensure_schema(handle.url, apply=demo or apply_migrations or settings.auto_migrate)
            secret_key = resolve_secret_key(settings, allow_generated=demo)
        except (bootstrap.PendingMigrations, SettingsError) as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from exc
        if demo:
            seeded = _seed(bootstrap.container_for(settings, handle.url, allow_generated_key=True))
            _print_banner(settings, host, port, seeded.logins, seeded.created)
        else:
            out.print(f"medcore listening on http://{host}:{port}  (API reference: http://{host}:{port}/schema)")
        bootstrap.export_for_workers(handle.url, secret_key)
        server = Server(
            "medcore.entrypoints.http.asgi:app_from_environment",
            address=host,
            port=port,
            interface=Interfaces.ASGI,
            workers=workers,
            factory=True,
            log_access=False,
            workers_kill_timeout=30,
        )
        server.serve()


def _seed(container: Container) -> Any:
    async def main() -> Any:
        try:
            return _unwrap(await container.use_cases.seed_demo().execute())
        finally:
            await container.gateways.engine().dispose()

    return asyncio.run(main())


def _print_banner(settings: Settings, host: str, port: int, logins: Any, created: bool) -> None:
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host  # noqa: S104 - only for display
    base = f"http://{shown}:{port}"
    table = Table(title="Demo logins (organization: demo)", show_lines=False)
    for column in ("role", "email", "password"):
        table.add_column(column)
    for login in logins:
        table.add_row(login.role.value, login.email, login.password)
    out.print()
    out.print(
        f"[bold]medcore[/bold] is starting at [bold]{base}[/bold]" + ("" if created else " (demo data already present)")
    )
    out.print(f"API reference (interactive): [bold]{base}/schema[/bold]    OpenAPI: {base}/schema/openapi.json")
    out.print(table)
    out.print(
        f"Try: curl -s {base}/api/v1/auth/login -H 'content-type: application/json' "
        f'-d \'{{"organization":"demo","email":"{logins[0].email}","password":"{logins[0].password}"}}\''
    )
    out.print(
        f"Emails are written to {settings.email_outbox}/ ; data lives in {settings.data_dir}/ . Stop with Ctrl+C."
    )
    out.print()


# --- db ---------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply migrations up to a revision (default: the latest)."""
    settings = _settings()
    with bootstrap.database(settings) as handle:
        bootstrap.upgrade_schema(handle.url, revision)
        out.print(f"Schema at {', '.join(bootstrap.schema_state(handle.url).current) or 'empty'}.")


@db_app.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, or -N steps.")] = "-1",
) -> None:
    """Revert migrations (default: one step)."""
    settings = _settings()
    with bootstrap.database(settings) as handle:
        bootstrap.downgrade_schema(handle.url, revision)
        out.print(f"Schema at {', '.join(bootstrap.schema_state(handle.url).current) or 'empty'}.")


@db_app.command("current")
def db_current() -> None:
    """Show the schema revision and whether migrations are pending."""
    settings = _settings()
    with bootstrap.database(settings) as handle:
        state = bootstrap.schema_state(handle.url)
        out.print(f"current: {', '.join(state.current) or 'empty'}")
        out.print(f"head:    {state.head}")
        out.print("up to date" if state.up_to_date else "migrations pending: run `medcore db upgrade`")
        if state.pending:
            raise typer.Exit(1)


# --- organizations and users ------------------------------------------------------------


@orgs_app.command("create")
def orgs_create(
    slug: Annotated[str, typer.Option(help="Short name used at sign-in.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    owner_email: Annotated[str, typer.Option(help="Email of the first owner.")],
    owner_password: Annotated[
        str | None,
        typer.Option(help="Owner password (else MEDCORE_OWNER_PASSWORD, else a prompt)."),
    ] = None,
    owner_given_name: Annotated[str, typer.Option(help="Owner's given name.")] = "Owner",
    owner_family_name: Annotated[str, typer.Option(help="Owner's family name.")] = "Account",
) -> None:
    """Create an organization and its owner; prints JSON with their ids."""
    password = owner_password or os.environ.get("MEDCORE_OWNER_PASSWORD")
    if not password:
        password = typer.prompt("Owner password", hide_input=True, confirmation_prompt=True)

    async def work(container: Container) -> Any:
        return _unwrap(
            await container.use_cases.create_organization().execute(
                CreateOrganizationCommand(
                    slug=slug,
                    name=name,
                    owner_email=owner_email,
                    owner_password=password,
                    owner_given_name=owner_given_name,
                    owner_family_name=owner_family_name,
                )
            )
        )

    created = _run(work)
    print(
        json.dumps(
            {
                "organization": {
                    "id": str(created.organization.id),
                    "slug": created.organization.slug.value,
                    "name": created.organization.name,
                },
                "owner": {
                    "id": str(created.owner.id),
                    "email": created.owner.email.value,
                },
            }
        )
    )


@users_app.command("create")
def users_create(
    org: Annotated[str, typer.Option(help="Organization slug.")],
    email: Annotated[str, typer.Option(help="Email address.")],
    role: Annotated[Role, typer.Option(help="Role in the organization.")],
    given_name: Annotated[str, typer.Option(help="Given name.")] = "New",
    family_name: Annotated[str, typer.Option(help="Family name.")] = "User",
    password: Annotated[
        str | None,
        typer.Option(help="Password; without one the user is invited by email."),
    ] = None,
) -> None:
    """Create a user; prints JSON with its id. Without a password, an invitation is emailed."""

    async def work(container: Container) -> Any:
        async with container.use_cases.unit_of_work() as uow:
            parsed = OrganizationSlug.parse(org, field="org")
            organization = await uow.organizations.by_slug(parsed.unwrap()) if not isinstance(parsed, Failure) else None
        if organization is None:
            err.print(f"[red]No organization '{org}'.[/red]")
            raise typer.Exit(1)
        actor = system_actor(organization.id, organization.id)
        return _unwrap(
            await container.use_cases.create_user().execute(
                actor,
                CreateUserCommand(
                    email=email,
                    role=role,
                    given_name=given_name,
                    family_name=family_name,
                    password=password,
                ),
            )
        )

    user = _run(work)
    print(
        json.dumps(
            {
                "id": str(user.id),
                "email": user.email.value,
                "role": user.role.value,
                "status": user.status.value,
            }
        )
    )


@demo_app.command("seed")
def demo_seed() -> None:
    """Create the demo organization and its users (idempotent)."""

    async def work(container: Container) -> Any:
        return _unwrap(await container.use_cases.seed_demo().execute())

    seeded = _run(work, migrate_if_needed=True)
    table = Table(title="Demo logins (organization: demo)")
    for column in ("role", "email", "password"):
        table.add_column(column)
    for login in seeded.logins:
        table.add_row(login.role.value, login.email, login.password)
    out.print(table)
    if not seeded.created:
        out.print("The demo organization already existed; nothing changed.")


@reminders_app.command("send")
def reminders_send(
    limit: Annotated[int | None, typer.Option(min=1, help="Send at most this many (default: all due).")] = None,
) -> None:
    """Send the reminders that are due. Safe to run from several machines at once and to
    re-run after a crash: each reminder reaches its patient once."""

    async def work(container: Container) -> Any:
        sender = container.use_cases.send_reminders()
        due = await sender.due_count()
        total = min(due, limit) if limit else due
        with progress_bar() as progress:
            task = progress.add_task("reminders", total=total)
            return await sender.execute(limit=limit, on_progress=lambda n: progress.advance(task, n))

    run = _run(work)
    table = Table(title="Reminders")
    table.add_column("outcome")
    table.add_column("count", justify="right")
    table.add_row("sent", str(run.sent))
    table.add_row("already delivered earlier (recorded now)", str(run.already_sent))
    for reason, count in sorted(run.skip_reasons.items()):
        table.add_row(f"skipped: {reason.replace('_', ' ')}", str(count))
    out.print(table)


@health_reminders_app.command("send")
def health_reminders_send(
    limit: Annotated[
        int | None, typer.Option(min=1, help="Handle at most this many reminders (default: all due).")
    ] = None,
) -> None:
    """Send the health reminders that are due. Safe to run from several machines at once and
    to re-run after a crash: each occurrence reaches its patient once. Occurrences more than
    24 hours old are dropped, not sent late."""

    async def work(container: Container) -> Any:
        sender = container.use_cases.send_health_reminders()
        due = await sender.due_count()
        total = min(due, limit) if limit else due
        with progress_bar() as progress:
            task = progress.add_task("health reminders", total=total)
            return await sender.execute(limit=limit, on_progress=lambda n: progress.advance(task, n))

    run = _run(work)
    table = Table(title="Health reminders")
    table.add_column("outcome")
    table.add_column("count", justify="right")
    table.add_row("reminders handled", str(run.reminders))
    table.add_row("sent", str(run.sent))
    table.add_row("already delivered earlier (recorded now)", str(run.already_sent))
    table.add_row("dropped: more than 24 hours old", str(run.missed))
    for reason, count in sorted(run.skip_reasons.items()):
        table.add_row(f"skipped: {reason.replace('_', ' ')}", str(count))
    table.add_row("reminders finished", str(run.ended))
    out.print(table)


@prescriptions_app.command("expire")
def prescriptions_expire() -> None:
    """Mark expired the signed prescriptions whose validity has ended (in their prescriber's
    time zone), in every organization. Idempotent: a second run finds nothing to do; safe
    to run from several machines at once."""

    async def work(container: Container) -> Any:
        expiry = container.use_cases.expire_prescriptions()
        due = await expiry.due_count()
        with progress_bar() as progress:
            task = progress.add_task("prescriptions", total=due)
            return await expiry.execute(on_progress=lambda n: progress.advance(task, n))

    run = _run(work)
    table = Table(title="Prescription expiry")
    table.add_column("outcome")
    table.add_column("count", justify="right")
    table.add_row("expired", str(run.expired))
    table.add_row("organizations", str(len(run.organizations)))
    out.print(table)


# The audit trail's commands live in a module of their own.
from medcore.entrypoints.cli import audit as _audit_commands  # noqa: E402

_audit_commands.register(app, db_app)
from medcore.entrypoints.cli import compliance as _compliance_commands  # noqa: E402

_compliance_commands.register(app)
from medcore.entrypoints.cli import gdpr as _gdpr_commands  # noqa: E402

_gdpr_commands.register(app)


if __name__ == "__main__":  # pragma: no cover
    app()
