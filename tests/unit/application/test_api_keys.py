"""CreateApiKey, RotateApiKey, RevokeApiKey, and authenticating with a key."""

from __future__ import annotations

from datetime import timedelta

from medcore.application.identity.create_api_key import CreateApiKeyCommand
from medcore.application.identity.rotate_api_key import RotateApiKeyCommand
from medcore.domain.audit.entry import ActorType, Outcome
from medcore.domain.identity.api_key import INVALID_API_KEY, KEY_PREFIX
from medcore.domain.identity.permissions import Permission, Role
from medcore.domain.shared.errors import ErrorKind
from tests.unit.application.world import META, World, err, ok


def command(*scopes: str, name: str = "lab results") -> CreateApiKeyCommand:
    return CreateApiKeyCommand(name=name, scopes=scopes)


async def test_a_new_key_is_shown_once_stored_hashed_and_acts_with_exactly_its_scopes(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)

    issued = ok(await world.create_api_key.execute(owner, command("users:read", "audit:read")))

    assert issued.secret.startswith(KEY_PREFIX + issued.key.key_id + "_")
    stored = world.store.api_keys[issued.key.id]
    assert issued.secret.rsplit("_", 1)[1] not in stored.secret_hash
    actor = ok(await world.authenticate.api_key(issued.secret, META))
    assert actor.actor_type is ActorType.API_KEY
    assert actor.id == issued.key.id
    assert actor.organization_id == tenant.organization_id
    assert actor.permissions == frozenset({Permission.USERS_READ, Permission.AUDIT_READ})
    assert actor.role is None
    assert actor.session_id is None
    assert world.audit("api_key.create")[-1].details == {"scopes": "audit:read,users:read"}


async def test_unknown_scopes_are_refused_by_name(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)

    error = err(await world.create_api_key.execute(owner, command("users:read", "patients:eat", "root")))

    assert error.code == "validation_failed"
    assert [i.field for i in error.fields] == ["scopes"]
    assert "patients:eat" in error.fields[0].message
    assert "root" in error.fields[0].message
    assert world.store.api_keys == {}


async def test_a_key_needs_a_scope_and_a_name(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)

    error = err(await world.create_api_key.execute(owner, command(name="   ")))

    assert {i.field for i in error.fields} == {"scopes", "name"}


async def test_nobody_grants_a_key_permissions_they_do_not_hold(world: World) -> None:
    tenant = await world.tenant()
    _, _, admin = await world.member(tenant, Role.ADMIN, "admin@clinic.example")
    assert Permission.AUDIT_READ not in admin.permissions

    beyond = err(await world.create_api_key.execute(admin, command("users:read", "audit:read")))
    within = ok(await world.create_api_key.execute(admin, command("users:read", "api_keys:write")))

    assert [i.field for i in beyond.fields] == ["scopes"]
    assert "audit:read" in beyond.fields[0].message
    assert within.key.scopes == frozenset({Permission.USERS_READ, Permission.API_KEYS_WRITE})


async def test_a_key_cannot_mint_a_wider_key(world: World) -> None:
    tenant = await world.tenant()
    key = await world.api_key_actor(tenant, "api_keys:write")

    error = err(await world.create_api_key.execute(key, command("users:write")))

    assert [i.field for i in error.fields] == ["scopes"]


async def test_an_expiry_in_the_past_is_refused_and_an_expired_key_stops_working(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    now = world.clock.now()

    past = err(
        await world.create_api_key.execute(owner, CreateApiKeyCommand(name="x", scopes=("users:read",), expires_at=now))
    )
    issued = ok(
        await world.create_api_key.execute(
            owner, CreateApiKeyCommand(name="x", scopes=("users:read",), expires_at=now + timedelta(days=1))
        )
    )

    assert [i.field for i in past.fields] == ["expires_at"]
    ok(await world.authenticate.api_key(issued.secret, META))
    world.clock.advance(days=1)
    assert err(await world.authenticate.api_key(issued.secret, META)) == INVALID_API_KEY


async def test_rotation_keeps_the_previous_secret_working_for_the_overlap_only(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    issued = ok(await world.create_api_key.execute(owner, command("users:read")))

    rotated = ok(
        await world.rotate_api_key.execute(owner, RotateApiKeyCommand(issued.key.id, overlap=timedelta(hours=1)))
    )

    assert rotated.key.key_id == issued.key.key_id
    assert rotated.secret != issued.secret
    ok(await world.authenticate.api_key(issued.secret, META))
    ok(await world.authenticate.api_key(rotated.secret, META))
    world.clock.advance(hours=1)
    assert err(await world.authenticate.api_key(issued.secret, META)) == INVALID_API_KEY
    ok(await world.authenticate.api_key(rotated.secret, META))
    assert world.audit("api_key.rotate")[-1].details == {"overlap_minutes": 60}


async def test_rotation_with_no_overlap_cuts_the_old_secret_at_once(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    issued = ok(await world.create_api_key.execute(owner, command("users:read")))

    ok(await world.rotate_api_key.execute(owner, RotateApiKeyCommand(issued.key.id, overlap=timedelta(0))))

    assert err(await world.authenticate.api_key(issued.secret, META)) == INVALID_API_KEY


async def test_an_overlap_beyond_seven_days_or_a_stale_version_is_refused(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    issued = ok(await world.create_api_key.execute(owner, command("users:read")))

    too_long = err(
        await world.rotate_api_key.execute(
            owner, RotateApiKeyCommand(issued.key.id, overlap=timedelta(days=7, seconds=1))
        )
    )
    negative = err(
        await world.rotate_api_key.execute(owner, RotateApiKeyCommand(issued.key.id, overlap=timedelta(seconds=-1)))
    )
    stale = err(
        await world.rotate_api_key.execute(
            owner, RotateApiKeyCommand(issued.key.id, expected_version=issued.key.version + 1)
        )
    )

    assert [i.field for i in too_long.fields] == [i.field for i in negative.fields] == ["overlap_minutes"]
    assert stale.kind is ErrorKind.PRECONDITION_FAILED
    assert world.store.api_keys[issued.key.id].secret_hash == issued.key.secret_hash


async def test_a_revoked_key_stops_working_at_once_and_cannot_be_rotated(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    issued = ok(await world.create_api_key.execute(owner, command("users:read")))

    ok(await world.revoke_api_key.execute(owner, issued.key.id))

    assert err(await world.authenticate.api_key(issued.secret, META)) == INVALID_API_KEY
    assert err(await world.rotate_api_key.execute(owner, RotateApiKeyCommand(issued.key.id))).code == "api_key.inactive"
    assert err(await world.revoke_api_key.execute(owner, issued.key.id)).code == "api_key.already_revoked"
    assert len(world.audit("api_key.revoke")) == 1


async def test_keys_of_another_organization_are_not_found(world: World) -> None:
    tenant = await world.tenant()
    other = await world.tenant(slug="other")
    issued = ok(await world.create_api_key.execute(await world.owner(other), command("users:read")))
    owner = await world.owner(tenant)

    assert err(await world.revoke_api_key.execute(owner, issued.key.id)).kind is ErrorKind.NOT_FOUND
    assert (
        err(await world.rotate_api_key.execute(owner, RotateApiKeyCommand(issued.key.id))).kind is ErrorKind.NOT_FOUND
    )
    ok(await world.authenticate.api_key(issued.secret, META))


async def test_a_member_without_api_keys_write_cannot_create_keys(world: World) -> None:
    tenant = await world.tenant()
    _, _, auditor = await world.member(tenant, Role.AUDITOR, "auditor@clinic.example")

    error = err(await world.create_api_key.execute(auditor, command("audit:read")))

    assert error.kind is ErrorKind.FORBIDDEN
    assert world.store.api_keys == {}
    assert world.store.audit[-1].action == "api_key.create"
    assert world.store.audit[-1].outcome is Outcome.DENIED


async def test_last_use_is_recorded_at_most_once_a_minute(world: World) -> None:
    tenant = await world.tenant()
    secret = await world.api_key(tenant, "users:read")
    key_id = next(iter(world.store.api_keys))

    ok(await world.authenticate.api_key(secret, META))
    first_use = world.store.api_keys[key_id].last_used_at
    world.clock.advance(seconds=59)
    ok(await world.authenticate.api_key(secret, META))
    assert world.store.api_keys[key_id].last_used_at == first_use
    world.clock.advance(seconds=1)
    ok(await world.authenticate.api_key(secret, META))

    assert first_use is not None
    assert world.store.api_keys[key_id].last_used_at == first_use + timedelta(minutes=1)


async def test_malformed_or_guessed_keys_are_refused(world: World) -> None:
    tenant = await world.tenant()
    secret = await world.api_key(tenant, "users:read")
    key_id = next(iter(world.store.api_keys.values())).key_id

    for presented in ("", "Bearer x", "mc_live_", f"mc_live_{key_id}_wrong-secret", secret.replace(key_id, "0000")):
        assert err(await world.authenticate.api_key(presented, META)) == INVALID_API_KEY
