"""CreateUser, UpdateUser and DeactivateUser, with the role rules and version checks."""

from __future__ import annotations

import pytest

from medcore.application.identity.create_user import CreateUserCommand
from medcore.application.identity.reset_password import ResetPasswordCommand
from medcore.application.identity.tokens import TokenPair
from medcore.application.identity.update_user import LAST_OWNER, UpdateUserCommand
from medcore.domain.audit.entry import ActorType, Outcome
from medcore.domain.identity.permissions import Role
from medcore.domain.identity.session import RevocationReason
from medcore.domain.identity.user import INVALID_CREDENTIALS, UserStatus
from medcore.domain.shared.errors import ErrorKind
from tests.unit.application.world import META, PASSWORD, World, err, ok


def new_user(email: str, role: Role = Role.NURSE, password: str | None = PASSWORD) -> CreateUserCommand:
    return CreateUserCommand(
        email=email, role=role, given_name="  Florence ", family_name="Nightingale", password=password
    )


# --- CreateUser ----------------------------------------------------------------------------


async def test_a_user_created_with_a_password_signs_in_at_once(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)

    user = ok(await world.create_user.execute(owner, new_user("Nurse@Clinic.example")))

    assert user.status is UserStatus.ACTIVE
    assert str(user.email) == "nurse@clinic.example"
    assert user.given_name == "Florence"
    assert world.mailer.sent == []
    assert isinstance(ok(await world.login(tenant.slug, "nurse@clinic.example")), TokenPair)
    [entry] = world.audit("user.create")[1:]  # the first is the owner's, made with the organization
    assert entry.actor_id == owner.id
    assert entry.resource_id == user.id
    assert entry.details == {"role": "nurse", "invited": False}


async def test_a_user_created_without_a_password_is_invited_by_email(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)

    user = ok(await world.create_user.execute(owner, new_user("nurse@clinic.example", password=None)))

    assert user.status is UserStatus.INVITED
    assert user.password_hash is None
    [message] = world.mailer.sent
    assert message.to == "nurse@clinic.example"
    assert "accept-invitation?organization=clinic&token=" in message.text
    assert err(await world.login(tenant.slug, "nurse@clinic.example", "")) == INVALID_CREDENTIALS

    accepted = await world.reset_password.execute(
        ResetPasswordCommand(tenant.slug, world.mailer.last_token(), "my-own-good-password-5", META)
    )

    ok(accepted)
    assert world.user(user.id).status is UserStatus.ACTIVE
    assert world.user(user.id).email_verified_at is not None
    assert world.audit("auth.invitation_accept")[0].actor_id == user.id
    assert isinstance(ok(await world.login(tenant.slug, "nurse@clinic.example", "my-own-good-password-5")), TokenPair)


async def test_a_taken_email_is_a_conflict(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)

    error = err(await world.create_user.execute(owner, new_user(tenant.owner_email.upper())))

    assert error.code == "user.email_taken"
    assert error.kind is ErrorKind.CONFLICT


async def test_only_an_owner_makes_owners(world: World) -> None:
    tenant = await world.tenant()
    _, _, admin = await world.member(tenant, Role.ADMIN, "admin@clinic.example")
    owner = await world.owner(tenant)

    refused = err(await world.create_user.execute(admin, new_user("boss@clinic.example", Role.OWNER)))
    made = ok(await world.create_user.execute(owner, new_user("boss@clinic.example", Role.OWNER)))

    assert refused.code == "validation_failed"
    assert [i.field for i in refused.fields] == ["role"]
    assert made.role is Role.OWNER


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.OWNER])
async def test_an_admin_grants_every_other_role(world: World, role: Role) -> None:
    tenant = await world.tenant()
    _, _, admin = await world.member(tenant, Role.ADMIN, "admin@clinic.example")

    assert ok(await world.create_user.execute(admin, new_user("someone@clinic.example", role))).role is role


async def test_an_api_key_with_users_write_acts_as_an_admin_and_cannot_make_owners(world: World) -> None:
    tenant = await world.tenant()
    key = await world.api_key_actor(tenant, "users:write")

    refused = err(await world.create_user.execute(key, new_user("boss@clinic.example", Role.OWNER)))
    made = ok(await world.create_user.execute(key, new_user("nurse@clinic.example")))

    assert [i.field for i in refused.fields] == ["role"]
    assert world.audit("user.create")[-1].actor_type is ActorType.API_KEY
    assert made.role is Role.NURSE


async def test_every_invalid_field_is_reported_at_once(world: World) -> None:
    tenant = await world.tenant()
    _, _, admin = await world.member(tenant, Role.ADMIN, "admin@clinic.example")

    error = err(
        await world.create_user.execute(
            admin, CreateUserCommand(email="nope", role=Role.OWNER, given_name=" ", family_name="x" * 101)
        )
    )

    assert {i.field for i in error.fields} == {"role", "email", "given_name", "family_name"}


async def test_a_weak_password_for_a_new_user_is_refused(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)

    error = err(await world.create_user.execute(owner, new_user("nurse@clinic.example", password="letmein2024!")))

    assert error.code == "password.too_weak"
    assert len(world.store.users) == 1


# --- authorization ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PRACTITIONER, Role.NURSE, Role.RECEPTIONIST, Role.PATIENT, Role.AUDITOR])
async def test_a_member_without_users_write_is_forbidden_and_the_denial_is_audited(world: World, role: Role) -> None:
    tenant = await world.tenant()
    _, _, member = await world.member(tenant, role, "member@clinic.example")
    users_before = set(world.store.users)

    error = err(await world.create_user.execute(member, new_user("someone@clinic.example")))

    assert error.kind is ErrorKind.FORBIDDEN
    assert error.code == "permission_denied"
    assert set(world.store.users) == users_before
    [denial] = [e for e in world.store.audit if e.outcome is Outcome.DENIED]
    assert denial.action == "user.create"
    assert denial.actor_id == member.id
    assert denial.details == {"permission": "users:write"}
    assert (denial.ip, denial.request_id) == (META.ip, META.request_id)


async def test_an_api_key_without_the_scope_is_forbidden_and_audited(world: World) -> None:
    tenant = await world.tenant()
    key = await world.api_key_actor(tenant, "users:read")

    error = err(await world.deactivate_user.execute(key, tenant.owner_id))

    assert error.kind is ErrorKind.FORBIDDEN
    [denial] = [e for e in world.store.audit if e.outcome is Outcome.DENIED]
    assert (denial.action, denial.actor_type, denial.resource_id) == (
        "user.deactivate",
        ActorType.API_KEY,
        tenant.owner_id,
    )
    assert world.user(tenant.owner_id).status is UserStatus.ACTIVE


# --- UpdateUser ------------------------------------------------------------------------------


async def test_an_update_merges_the_given_fields_and_audits_their_names(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    nurse = await world.add_user(tenant, Role.NURSE, "nurse@clinic.example", by=owner)

    updated = ok(
        await world.update_user.execute(
            owner, UpdateUserCommand(user_id=nurse.id, family_name=" Seacole ", role=Role.PRACTITIONER)
        )
    )

    assert (updated.given_name, updated.family_name, updated.role) == ("Ada", "Seacole", Role.PRACTITIONER)
    assert updated.version == nurse.version + 1
    assert world.user(nurse.id).role is Role.PRACTITIONER
    assert world.audit("user.update")[-1].details == {"fields": "family_name,role", "role": "practitioner"}


async def test_an_update_with_a_stale_version_is_refused(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    nurse = await world.add_user(tenant, Role.NURSE, "nurse@clinic.example", by=owner)
    ok(await world.update_user.execute(owner, UpdateUserCommand(user_id=nurse.id, given_name="Mary")))

    stale = err(
        await world.update_user.execute(
            owner, UpdateUserCommand(user_id=nurse.id, given_name="Edith", expected_version=nurse.version)
        )
    )
    fresh = await world.update_user.execute(
        owner, UpdateUserCommand(user_id=nurse.id, given_name="Edith", expected_version=nurse.version + 1)
    )

    assert stale.code == "precondition_failed"
    assert stale.kind is ErrorKind.PRECONDITION_FAILED
    assert ok(fresh).given_name == "Edith"


async def test_nobody_changes_their_own_role(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)

    error = err(await world.update_user.execute(owner, UpdateUserCommand(user_id=owner.id, role=Role.ADMIN)))

    assert [i.field for i in error.fields] == ["role"]
    assert world.user(owner.id).role is Role.OWNER


async def test_an_admin_cannot_demote_an_owner_nor_promote_anyone_to_owner(world: World) -> None:
    tenant = await world.tenant()
    _, _, admin = await world.member(tenant, Role.ADMIN, "admin@clinic.example")
    nurse = await world.add_user(tenant, Role.NURSE, "nurse@clinic.example")

    demote = err(await world.update_user.execute(admin, UpdateUserCommand(user_id=tenant.owner_id, role=Role.NURSE)))
    promote = err(await world.update_user.execute(admin, UpdateUserCommand(user_id=nurse.id, role=Role.OWNER)))

    assert [i.field for i in demote.fields] == ["role"]
    assert [i.field for i in promote.fields] == ["role"]
    assert world.user(tenant.owner_id).role is Role.OWNER
    assert world.user(nurse.id).role is Role.NURSE


async def test_the_last_owner_keeps_the_role_even_when_two_owners_demote_each_other(world: World) -> None:
    tenant = await world.tenant()
    first = await world.owner(tenant)
    second_user = await world.add_user(tenant, Role.OWNER, "second@clinic.example", by=first)
    _, second = await world.sign_in(tenant.slug, "second@clinic.example")

    # Both requests were authenticated as owners; the first demotion lands, the second must not.
    ok(await world.update_user.execute(first, UpdateUserCommand(user_id=second_user.id, role=Role.ADMIN)))
    error = err(await world.update_user.execute(second, UpdateUserCommand(user_id=first.id, role=Role.ADMIN)))

    assert error == LAST_OWNER
    assert world.user(first.id).role is Role.OWNER


async def test_updating_a_user_of_another_organization_is_not_found(world: World) -> None:
    tenant = await world.tenant()
    other = await world.tenant(slug="other")
    owner = await world.owner(tenant)

    error = err(await world.update_user.execute(owner, UpdateUserCommand(user_id=other.owner_id, given_name="X")))

    assert error.kind is ErrorKind.NOT_FOUND
    assert world.user(other.owner_id).given_name == "Owner"


# --- DeactivateUser -------------------------------------------------------------------------


async def test_deactivation_revokes_every_session_at_once(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    nurse, laptop, _ = await world.member(tenant, Role.NURSE, "nurse@clinic.example")
    phone, _ = await world.sign_in(tenant.slug, "nurse@clinic.example")

    ok(await world.deactivate_user.execute(owner, nurse.id))

    for pair in (laptop, phone):
        assert err(await world.authenticate.bearer(pair.access_token, META)).kind is ErrorKind.UNAUTHENTICATED
    assert {s.revoked_reason for s in world.store.sessions.values() if s.user_id == nurse.id} == {
        RevocationReason.USER_DEACTIVATED
    }
    assert world.audit("user.deactivate")[-1].details == {"sessions_revoked": 2}
    assert err(await world.login(tenant.slug, "nurse@clinic.example")) == INVALID_CREDENTIALS


async def test_nobody_deactivates_themselves(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)

    error = err(await world.deactivate_user.execute(owner, owner.id))

    assert error.code == "user.cannot_deactivate_self"
    assert error.kind is ErrorKind.CONFLICT
    assert world.user(owner.id).status is UserStatus.ACTIVE


async def test_only_an_owner_deactivates_an_owner_and_never_the_last_one(world: World) -> None:
    tenant = await world.tenant()
    first = await world.owner(tenant)
    _, _, admin = await world.member(tenant, Role.ADMIN, "admin@clinic.example")
    second_user = await world.add_user(tenant, Role.OWNER, "second@clinic.example", by=first)
    _, second = await world.sign_in(tenant.slug, "second@clinic.example")

    assert err(await world.deactivate_user.execute(admin, first.id)).code == "user.owner_protected"
    ok(await world.deactivate_user.execute(first, second_user.id))
    assert err(await world.deactivate_user.execute(second, first.id)) == LAST_OWNER  # raced: first is the last
    assert world.user(first.id).status is UserStatus.ACTIVE


async def test_deactivating_twice_is_a_conflict_and_a_stale_version_is_refused(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    nurse = await world.add_user(tenant, Role.NURSE, "nurse@clinic.example", by=owner)

    stale = err(await world.deactivate_user.execute(owner, nurse.id, expected_version=nurse.version + 7))
    ok(await world.deactivate_user.execute(owner, nurse.id, expected_version=nurse.version))
    twice = err(await world.deactivate_user.execute(owner, nurse.id))

    assert stale.kind is ErrorKind.PRECONDITION_FAILED
    assert twice.code == "user.already_deactivated"
