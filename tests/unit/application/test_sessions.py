"""RefreshSession (rotation, reuse detection), Logout, and listing and revoking sessions."""

from __future__ import annotations

from medcore.application.identity.refresh import RefreshCommand
from medcore.domain.audit.entry import Outcome
from medcore.domain.identity.permissions import Role
from medcore.domain.identity.session import INVALID_REFRESH_TOKEN, REFRESH_TOKEN_REUSED, RevocationReason
from medcore.domain.identity.user import UserStatus
from medcore.domain.shared.errors import ErrorKind
from tests.unit.application.world import META, World, err, ok


def refresh(token: str) -> RefreshCommand:
    return RefreshCommand(refresh_token=token, meta=META)


async def test_a_refresh_rotates_the_refresh_token_and_keeps_the_session(world: World) -> None:
    tenant = await world.tenant()
    first, _ = await world.sign_in(tenant.slug, tenant.owner_email)
    world.clock.advance(minutes=20)

    second = ok(await world.refresh.execute(refresh(first.refresh_token)))

    assert second.refresh_token != first.refresh_token
    assert second.session_id == first.session_id
    actor = ok(await world.authenticate.bearer(second.access_token, META))
    assert str(actor.session_id) == first.session_id
    assert actor.session_id is not None
    assert world.store.sessions[actor.session_id].generation == 1
    assert world.audit("auth.refresh")[-1].outcome is Outcome.SUCCESS
    third = ok(await world.refresh.execute(refresh(second.refresh_token)))
    assert third.refresh_token not in {first.refresh_token, second.refresh_token}


async def test_reusing_a_rotated_refresh_token_revokes_the_session_and_is_audited(world: World) -> None:
    tenant = await world.tenant()
    first, _ = await world.sign_in(tenant.slug, tenant.owner_email)
    second = ok(await world.refresh.execute(refresh(first.refresh_token)))

    reuse = err(await world.refresh.execute(refresh(first.refresh_token)))

    assert reuse == REFRESH_TOKEN_REUSED
    session = next(iter(world.store.sessions.values()))
    assert session.revoked_reason is RevocationReason.REFRESH_TOKEN_REUSE
    [entry] = world.audit("auth.refresh_token_reuse")
    assert entry.outcome is Outcome.FAILURE
    assert entry.actor_id == tenant.owner_id
    assert entry.resource_id == session.id
    assert entry.details == {"presented_generation": 0}
    # The whole family is gone: the newest refresh token and the access tokens too.
    assert err(await world.refresh.execute(refresh(second.refresh_token))) == INVALID_REFRESH_TOKEN
    assert err(await world.authenticate.bearer(second.access_token, META)).kind is ErrorKind.UNAUTHENTICATED
    assert err(await world.authenticate.bearer(first.access_token, META)).kind is ErrorKind.UNAUTHENTICATED
    assert len(world.audit("auth.refresh_token_reuse")) == 1  # later attempts are plain refusals


async def test_reuse_revokes_only_that_session(world: World) -> None:
    tenant = await world.tenant()
    laptop, _ = await world.sign_in(tenant.slug, tenant.owner_email)
    phone, _ = await world.sign_in(tenant.slug, tenant.owner_email)
    ok(await world.refresh.execute(refresh(laptop.refresh_token)))

    err(await world.refresh.execute(refresh(laptop.refresh_token)))

    assert ok(await world.refresh.execute(refresh(phone.refresh_token)))


async def test_an_unknown_refresh_token_is_refused(world: World) -> None:
    await world.tenant()

    assert err(await world.refresh.execute(refresh("never-issued"))) == INVALID_REFRESH_TOKEN


async def test_a_refresh_token_expires_thirty_days_after_its_last_use(world: World) -> None:
    tenant = await world.tenant()
    pair, _ = await world.sign_in(tenant.slug, tenant.owner_email)
    world.clock.advance(days=29)
    pair = ok(await world.refresh.execute(refresh(pair.refresh_token)))  # sliding: 30 more days

    world.clock.advance(days=29, hours=23)
    pair = ok(await world.refresh.execute(refresh(pair.refresh_token)))
    world.clock.advance(days=30)

    assert err(await world.refresh.execute(refresh(pair.refresh_token))) == INVALID_REFRESH_TOKEN


async def test_a_deactivated_users_refresh_token_is_refused(world: World) -> None:
    tenant = await world.tenant()
    nurse, pair, _ = await world.member(tenant, Role.NURSE, "nurse@clinic.example")
    world.store.users[nurse.id].status = UserStatus.DEACTIVATED

    assert err(await world.refresh.execute(refresh(pair.refresh_token))) == INVALID_REFRESH_TOKEN


async def test_logout_ends_the_session_for_both_tokens(world: World) -> None:
    tenant = await world.tenant()
    pair, actor = await world.sign_in(tenant.slug, tenant.owner_email)

    ok(await world.logout.execute(actor))

    assert err(await world.authenticate.bearer(pair.access_token, META)).kind is ErrorKind.UNAUTHENTICATED
    assert err(await world.refresh.execute(refresh(pair.refresh_token))) == INVALID_REFRESH_TOKEN
    assert actor.session_id is not None
    session = world.store.sessions[actor.session_id]
    assert session.revoked_reason is RevocationReason.LOGOUT
    [entry] = world.audit("auth.logout")
    assert entry.resource_id == session.id


async def test_logout_leaves_the_users_other_sessions_alone(world: World) -> None:
    tenant = await world.tenant()
    _, laptop = await world.sign_in(tenant.slug, tenant.owner_email)
    phone, _ = await world.sign_in(tenant.slug, tenant.owner_email)

    ok(await world.logout.execute(laptop))

    assert ok(await world.authenticate.bearer(phone.access_token, META)).id == tenant.owner_id


async def test_an_api_key_has_no_session_to_log_out(world: World) -> None:
    tenant = await world.tenant()
    actor = await world.api_key_actor(tenant, "users:read")

    assert err(await world.logout.execute(actor)).code == "auth.not_a_session"


async def test_users_list_their_active_sessions_and_revoke_one(world: World) -> None:
    tenant = await world.tenant()
    _, laptop = await world.sign_in(tenant.slug, tenant.owner_email)
    phone, _ = await world.sign_in(tenant.slug, tenant.owner_email)

    sessions = ok(await world.list_sessions.execute(laptop))
    assert len(sessions) == 2
    ok(await world.revoke_session.execute(laptop, next(s.id for s in sessions if s.id != laptop.session_id)))

    assert err(await world.authenticate.bearer(phone.access_token, META)).kind is ErrorKind.UNAUTHENTICATED
    assert [s.id for s in ok(await world.list_sessions.execute(laptop))] == [laptop.session_id]
    assert len(world.audit("auth.session_revoke")) == 1


async def test_nobody_revokes_another_users_session(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    _, nurse_pair, nurse = await world.member(tenant, Role.NURSE, "nurse@clinic.example")

    assert nurse.session_id is not None

    refused = err(await world.revoke_session.execute(owner, nurse.session_id))

    assert refused.kind is ErrorKind.NOT_FOUND
    assert ok(await world.authenticate.bearer(nurse_pair.access_token, META)).id == nurse.id
