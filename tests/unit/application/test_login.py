"""Login: tokens, the MFA challenge, identical refusals, lockout and its audit trail."""

from __future__ import annotations

import pytest

from medcore.application.identity.tokens import MfaRequired, TokenPair
from medcore.domain.audit.entry import ActorType, Outcome
from medcore.domain.identity.organization import OrganizationSettings
from medcore.domain.identity.permissions import Role
from medcore.domain.identity.user import INVALID_CREDENTIALS, UserStatus
from medcore.domain.shared.errors import ErrorKind
from tests.unit.application.world import META, PASSWORD, World, err, ok


async def test_a_correct_password_opens_a_session_and_answers_a_token_pair(world: World) -> None:
    tenant = await world.tenant()

    pair = ok(await world.login(tenant.slug, tenant.owner_email))

    assert isinstance(pair, TokenPair)
    assert pair.expires_in == 15 * 60
    session = next(iter(world.store.sessions.values()))
    assert str(session.id) == pair.session_id
    assert session.user_id == tenant.owner_id
    assert session.ip == META.ip
    assert session.is_active(world.clock.now())
    actor = ok(await world.authenticate.bearer(pair.access_token, META))
    assert actor.id == tenant.owner_id
    assert actor.session_id == session.id
    assert world.user(tenant.owner_id).last_login_at == world.clock.now()


async def test_email_and_organization_are_matched_case_insensitively(world: World) -> None:
    tenant = await world.tenant(slug="clinic-nord")

    pair = ok(await world.login("  Clinic-Nord ", tenant.owner_email.upper()))

    assert isinstance(pair, TokenPair)


async def test_a_successful_login_is_audited_with_the_request_metadata(world: World) -> None:
    tenant = await world.tenant()

    await world.login(tenant.slug, tenant.owner_email)

    [entry] = world.audit("auth.login")
    assert entry.outcome is Outcome.SUCCESS
    assert entry.actor_type is ActorType.USER
    assert entry.actor_id == tenant.owner_id
    assert entry.resource_type == "session"
    assert (entry.ip, entry.user_agent, entry.request_id) == (META.ip, META.user_agent, META.request_id)


async def test_an_account_with_totp_gets_an_mfa_challenge_instead_of_tokens(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    await world.enable_totp(owner)
    sessions_before = len(world.store.sessions)

    answer = ok(await world.login(tenant.slug, tenant.owner_email))

    assert isinstance(answer, MfaRequired)
    assert answer.expires_in == 5 * 60
    challenge = world.signer.read_mfa_challenge(answer.mfa_token, world.clock.now())
    assert challenge is not None
    assert challenge.user_id == tenant.owner_id
    assert len(world.store.sessions) == sessions_before  # no session before the second factor
    assert world.audit("auth.login")[-1].details == {"stage": "mfa_required"}


@pytest.mark.parametrize(
    ("organization", "email", "password"),
    [
        ("clinic", "owner@clinic.example", "wrong password entirely"),
        ("clinic", "nobody@clinic.example", PASSWORD),
        ("no-such-clinic", "owner@clinic.example", PASSWORD),
        ("Not A Slug!", "owner@clinic.example", PASSWORD),
        ("clinic", "not an email", PASSWORD),
    ],
    ids=["wrong-password", "unknown-email", "unknown-organization", "malformed-organization", "malformed-email"],
)
async def test_every_bad_credential_gets_the_same_error_for_the_price_of_one_hash(
    world: World, organization: str, email: str, password: str
) -> None:
    await world.tenant()
    hashes_before = world.hasher.verified + world.hasher.burned

    error = err(await world.login(organization, email, password))

    assert error == INVALID_CREDENTIALS
    assert world.hasher.verified + world.hasher.burned == hashes_before + 1


async def test_unknown_accounts_burn_a_hash_instead_of_verifying_one(world: World) -> None:
    tenant = await world.tenant()

    err(await world.login(tenant.slug, "nobody@clinic.example"))
    err(await world.login("no-such-clinic", tenant.owner_email))

    assert world.hasher.burned == 2
    assert world.hasher.verified == 0
    [entry] = world.audit("auth.login")  # an unknown organization has no trail to write to
    assert entry.outcome is Outcome.FAILURE
    assert entry.actor_type is ActorType.ANONYMOUS
    assert entry.details == {"reason": "unknown_account"}


@pytest.mark.parametrize("status", [UserStatus.DEACTIVATED, UserStatus.PENDING_VERIFICATION])
async def test_an_account_that_cannot_sign_in_answers_like_a_wrong_password(world: World, status: UserStatus) -> None:
    tenant = await world.tenant()
    user = await world.add_user(tenant, Role.NURSE, "nurse@clinic.example")
    world.store.users[user.id].status = status

    error = err(await world.login(tenant.slug, "nurse@clinic.example"))

    assert error == INVALID_CREDENTIALS
    assert world.hasher.burned == 1
    assert world.audit("auth.login")[-1].details == {"reason": "inactive"}


async def test_an_invited_account_without_a_password_cannot_sign_in(world: World) -> None:
    tenant = await world.tenant()
    await world.add_user(tenant, Role.NURSE, "invited@clinic.example", password=None)

    assert err(await world.login(tenant.slug, "invited@clinic.example", "")) == INVALID_CREDENTIALS


async def test_five_consecutive_failures_lock_the_account_and_are_audited(world: World) -> None:
    tenant = await world.tenant()

    errors = [err(await world.login(tenant.slug, tenant.owner_email, "wrong password!!")) for _ in range(5)]

    assert [e.kind for e in errors] == [ErrorKind.UNAUTHENTICATED] * 4 + [ErrorKind.LOCKED]
    assert errors[-1].code == "auth.account_locked"
    failures = [e for e in world.audit("auth.login") if e.outcome is Outcome.FAILURE]
    assert [e.details["failed_attempts"] for e in failures] == [1, 2, 3, 4, 5]
    assert all(e.actor_id == tenant.owner_id for e in failures)
    [lockout] = world.audit("auth.lockout")
    assert lockout.actor_id == tenant.owner_id
    assert lockout.details == {"minutes": 15}


async def test_a_locked_account_refuses_even_the_right_password_until_the_lock_ends(world: World) -> None:
    tenant = await world.tenant()
    for _ in range(5):
        await world.login(tenant.slug, tenant.owner_email, "wrong password!!")

    world.clock.advance(minutes=14, seconds=59)
    locked = err(await world.login(tenant.slug, tenant.owner_email))
    assert locked.kind is ErrorKind.LOCKED
    assert world.audit("auth.login")[-1].details == {"reason": "locked"}

    world.clock.advance(seconds=1)
    assert isinstance(ok(await world.login(tenant.slug, tenant.owner_email)), TokenPair)
    assert world.user(tenant.owner_id).failed_logins == 0


async def test_a_successful_login_resets_the_failure_count(world: World) -> None:
    tenant = await world.tenant()
    for _ in range(4):
        await world.login(tenant.slug, tenant.owner_email, "wrong password!!")
    ok(await world.login(tenant.slug, tenant.owner_email))

    errors = [err(await world.login(tenant.slug, tenant.owner_email, "wrong password!!")) for _ in range(4)]

    assert all(e == INVALID_CREDENTIALS for e in errors)
    assert world.audit("auth.lockout") == []


async def test_the_lockout_threshold_and_duration_follow_the_organization_settings(world: World) -> None:
    tenant = await world.tenant(
        settings=OrganizationSettings(mfa_required_roles=frozenset(), lockout_threshold=3, lockout_minutes=2)
    )

    errors = [err(await world.login(tenant.slug, tenant.owner_email, "wrong password!!")) for _ in range(3)]

    assert errors[-1].kind is ErrorKind.LOCKED
    assert world.audit("auth.lockout")[0].details == {"minutes": 2}
    world.clock.advance(minutes=2)
    assert isinstance(ok(await world.login(tenant.slug, tenant.owner_email)), TokenPair)


async def test_the_same_email_in_another_organization_is_another_account(world: World) -> None:
    first = await world.tenant(slug="first", owner_email="shared@example.test")
    await world.tenant(slug="second", owner_email="shared@example.test")
    for _ in range(5):
        await world.login(first.slug, first.owner_email, "wrong password!!")

    assert isinstance(ok(await world.login("second", "shared@example.test")), TokenPair)


async def test_login_tells_a_member_of_an_mfa_requiring_role_to_enrol(world: World) -> None:
    tenant = await world.tenant(settings=OrganizationSettings(mfa_required_roles=frozenset({Role.OWNER})))

    pair = ok(await world.login(tenant.slug, tenant.owner_email))

    assert isinstance(pair, TokenPair)
    assert pair.mfa_enrollment_required is True
