"""UpdateOrganization, CreateOrganization, and Authenticate (bearer tokens)."""

from __future__ import annotations

from medcore.application.identity.authenticate import INVALID_ACCESS_TOKEN
from medcore.application.identity.create_organization import CreateOrganizationCommand
from medcore.application.identity.update_organization import UpdateOrganizationCommand
from medcore.application.identity.update_user import UpdateUserCommand
from medcore.domain.audit.entry import ActorType, Outcome
from medcore.domain.identity.permissions import Permission, Role
from medcore.domain.identity.session import RevocationReason
from medcore.domain.identity.user import UserStatus
from medcore.domain.shared.errors import ErrorKind
from tests.unit.application.world import META, PASSWORD, World, err, ok

# --- UpdateOrganization ------------------------------------------------------------------


async def test_an_organization_update_is_audited_with_the_changed_settings_and_values(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)

    updated = ok(
        await world.update_organization.execute(
            owner,
            UpdateOrganizationCommand(
                name="  Clinique   du Nord ",
                self_registration=True,
                mfa_required_roles=frozenset({Role.PRACTITIONER, Role.ADMIN}),
                lockout_threshold=5,  # unchanged: not reported
                lockout_minutes=30,
            ),
        )
    )

    assert updated.name == "Clinique du Nord"
    assert updated.settings.self_registration is True
    assert updated.settings.lockout_minutes == 30
    assert world.store.organizations[tenant.organization_id].version == 2
    [entry] = world.audit("organization.update")
    assert entry.actor_id == owner.id
    assert entry.resource_id == tenant.organization_id
    assert entry.details == {
        "name": True,
        "settings.self_registration": True,
        "settings.mfa_required_roles": "admin,practitioner",
        "settings.lockout_minutes": 30,
    }


async def test_an_update_that_changes_nothing_writes_nothing(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)

    ok(await world.update_organization.execute(owner, UpdateOrganizationCommand(lockout_threshold=5)))

    assert world.audit("organization.update") == []
    assert world.store.organizations[tenant.organization_id].version == 1


async def test_invalid_settings_or_names_are_refused_and_nothing_changes(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)

    settings = err(
        await world.update_organization.execute(
            owner, UpdateOrganizationCommand(lockout_threshold=2, lockout_minutes=0)
        )
    )
    name = err(await world.update_organization.execute(owner, UpdateOrganizationCommand(name="  ")))

    assert settings.code == "organization.invalid_settings"
    assert {i.field for i in settings.fields} == {"settings.lockout_threshold", "settings.lockout_minutes"}
    assert [i.field for i in name.fields] == ["name"]
    assert world.store.organizations[tenant.organization_id].settings.lockout_threshold == 5
    assert world.audit("organization.update") == []


async def test_an_organization_update_with_a_stale_version_is_refused(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)

    error = err(await world.update_organization.execute(owner, UpdateOrganizationCommand(name="X", expected_version=9)))

    assert error.kind is ErrorKind.PRECONDITION_FAILED


async def test_only_organization_write_may_change_the_organization_and_a_denial_is_audited(world: World) -> None:
    tenant = await world.tenant()
    _, _, practitioner = await world.member(tenant, Role.PRACTITIONER, "doc@clinic.example")

    error = err(
        await world.update_organization.execute(practitioner, UpdateOrganizationCommand(self_registration=True))
    )

    assert error.kind is ErrorKind.FORBIDDEN
    [denial] = world.audit("organization.update")
    assert denial.outcome is Outcome.DENIED
    assert denial.details == {"permission": "organization:write"}
    assert world.store.organizations[tenant.organization_id].settings.self_registration is False


# --- CreateOrganization ------------------------------------------------------------------


async def test_creating_an_organization_opens_it_with_an_active_owner_and_audits_both(world: World) -> None:
    tenant = await world.tenant(slug="clinic")

    owner = world.user(tenant.owner_id)
    assert owner.role is Role.OWNER
    assert owner.status is UserStatus.ACTIVE
    assert [(e.action, e.actor_type) for e in world.store.audit] == [
        ("organization.create", ActorType.SYSTEM),
        ("user.create", ActorType.SYSTEM),
    ]


async def test_a_taken_slug_or_bad_input_is_refused(world: World) -> None:
    await world.tenant(slug="clinic")

    taken = err(
        await world.create_organization.execute(
            CreateOrganizationCommand(slug="Clinic", name="Another", owner_email="x@y.example", owner_password=PASSWORD)
        )
    )
    bad = err(
        await world.create_organization.execute(
            CreateOrganizationCommand(slug="-", name=" ", owner_email="nope", owner_password=PASSWORD)
        )
    )

    assert taken.code == "organization.slug_taken"
    assert taken.kind is ErrorKind.CONFLICT
    assert {i.field for i in bad.fields} == {"slug", "name", "owner_email"}
    assert len(world.store.organizations) == 1


# --- Authenticate ----------------------------------------------------------------------------


async def test_a_bearer_token_authenticates_as_its_user_with_the_roles_permissions(world: World) -> None:
    tenant = await world.tenant()
    _, pair, _ = await world.member(tenant, Role.AUDITOR, "auditor@clinic.example")

    actor = ok(await world.authenticate.bearer(pair.access_token, META))

    assert actor.actor_type is ActorType.USER
    assert actor.role is Role.AUDITOR
    assert actor.permissions == frozenset(
        {
            Permission.ORGANIZATION_READ,
            Permission.AUDIT_READ,
            Permission.LEGAL_HOLDS_READ,
            Permission.LEGAL_HOLDS_WRITE,
            Permission.RETENTION_READ,
        }
    )
    assert actor.meta == META


async def test_a_revoked_session_is_refused_at_once(world: World) -> None:
    tenant = await world.tenant()
    pair, actor = await world.sign_in(tenant.slug, tenant.owner_email)
    assert actor.session_id is not None

    world.store.sessions[actor.session_id].revoke(world.clock.now(), RevocationReason.REVOKED_BY_USER)

    assert err(await world.authenticate.bearer(pair.access_token, META)) == INVALID_ACCESS_TOKEN


async def test_a_deactivated_user_is_refused_at_once(world: World) -> None:
    tenant = await world.tenant()
    nurse, pair, _ = await world.member(tenant, Role.NURSE, "nurse@clinic.example")

    world.store.users[nurse.id].status = UserStatus.DEACTIVATED  # sessions deliberately left open

    assert err(await world.authenticate.bearer(pair.access_token, META)) == INVALID_ACCESS_TOKEN


async def test_an_expired_access_token_is_refused(world: World) -> None:
    tenant = await world.tenant()
    pair, _ = await world.sign_in(tenant.slug, tenant.owner_email)

    world.clock.advance(minutes=15)

    assert err(await world.authenticate.bearer(pair.access_token, META)) == INVALID_ACCESS_TOKEN


async def test_a_role_change_takes_effect_on_the_next_request(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    admin, pair, before = await world.member(tenant, Role.ADMIN, "admin@clinic.example")
    assert Permission.USERS_WRITE in before.permissions

    ok(await world.update_user.execute(owner, UpdateUserCommand(user_id=admin.id, role=Role.RECEPTIONIST)))

    after = ok(await world.authenticate.bearer(pair.access_token, META))
    assert after.role is Role.RECEPTIONIST
    assert Permission.USERS_WRITE not in after.permissions


async def test_garbage_is_not_a_token(world: World) -> None:
    await world.tenant()

    assert err(await world.authenticate.bearer("not-a-token", META)) == INVALID_ACCESS_TOKEN
    assert err(await world.authenticate.bearer("not-a-token", META)).kind is ErrorKind.UNAUTHENTICATED
