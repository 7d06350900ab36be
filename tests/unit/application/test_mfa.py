"""TOTP enrolment and the second sign-in step: each code works once, recovery codes once."""

from __future__ import annotations

from medcore.application.identity.confirm_totp import ConfirmTotpCommand
from medcore.application.identity.tokens import MfaRequired, TokenPair
from medcore.application.identity.update_user import UpdateUserCommand
from medcore.application.identity.verify_mfa import INVALID_MFA_TOKEN, VerifyMfaCommand
from medcore.domain.audit.entry import Outcome
from medcore.domain.identity.organization import OrganizationSettings
from medcore.domain.identity.permissions import Role
from medcore.domain.shared.errors import ErrorKind
from tests.unit.application.world import META, Tenant, World, err, ok


async def challenge(world: World, tenant: Tenant) -> str:
    answer = ok(await world.login(tenant.slug, tenant.owner_email))
    assert isinstance(answer, MfaRequired)
    return answer.mfa_token


async def with_totp(world: World) -> tuple[Tenant, list[str]]:
    tenant = await world.tenant()
    codes = await world.enable_totp(await world.owner(tenant))
    return tenant, codes


async def test_confirming_enrolment_turns_mfa_on_and_answers_ten_recovery_codes(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)

    enrolment = ok(await world.enroll_totp.execute(owner))
    assert enrolment.secret == "TOTPSECRET"
    assert world.user(tenant.owner_id).totp is not None
    assert not world.user(tenant.owner_id).mfa_enabled  # not before a first code
    codes = ok(await world.confirm_totp.execute(owner, ConfirmTotpCommand(world.totp.code_at(world.clock.now()))))

    user = world.user(tenant.owner_id)
    assert user.mfa_enabled
    assert len(codes) == 10
    assert len(set(user.recovery_code_hashes)) == 10
    assert not set(codes) & set(user.recovery_code_hashes)  # stored hashed
    assert user.totp is not None
    assert user.totp.sealed_secret != enrolment.secret  # stored sealed
    assert owner.session_id is not None
    assert world.store.sessions[owner.session_id].mfa_verified


async def test_a_wrong_confirmation_code_leaves_mfa_off_and_is_audited(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    ok(await world.enroll_totp.execute(owner))

    error = err(await world.confirm_totp.execute(owner, ConfirmTotpCommand("999999")))

    assert error.code == "auth.invalid_mfa_code"
    assert not world.user(tenant.owner_id).mfa_enabled
    assert world.audit("auth.mfa_confirm")[-1].outcome is Outcome.FAILURE


async def test_a_fresh_totp_code_completes_the_sign_in(world: World) -> None:
    tenant, _ = await with_totp(world)
    token = await challenge(world, tenant)

    pair = ok(await world.verify_mfa.execute(VerifyMfaCommand(token, world.totp.code_at(world.clock.now()), META)))

    assert isinstance(pair, TokenPair)
    actor = ok(await world.authenticate.bearer(pair.access_token, META))
    assert actor.session_id is not None
    assert world.store.sessions[actor.session_id].mfa_verified
    assert world.audit("auth.mfa")[-1].outcome is Outcome.SUCCESS


async def test_a_totp_code_cannot_be_replayed(world: World) -> None:
    tenant, _ = await with_totp(world)
    code = world.totp.code_at(world.clock.now())
    ok(await world.verify_mfa.execute(VerifyMfaCommand(await challenge(world, tenant), code, META)))

    replay = err(await world.verify_mfa.execute(VerifyMfaCommand(await challenge(world, tenant), code, META)))

    assert replay.code == "auth.invalid_mfa_code"
    assert world.audit("auth.mfa")[-1].outcome is Outcome.FAILURE
    assert world.user(tenant.owner_id).failed_logins == 1


async def test_the_code_used_to_confirm_enrolment_cannot_be_used_to_sign_in(world: World) -> None:
    tenant = await world.tenant()
    owner = await world.owner(tenant)
    ok(await world.enroll_totp.execute(owner))
    code = world.totp.code_at(world.clock.now())
    ok(await world.confirm_totp.execute(owner, ConfirmTotpCommand(code)))

    error = err(await world.verify_mfa.execute(VerifyMfaCommand(await challenge(world, tenant), code, META)))

    assert error.code == "auth.invalid_mfa_code"


async def test_a_recovery_code_works_once_whatever_its_spacing_and_case(world: World) -> None:
    tenant, codes = await with_totp(world)
    typed = " " + codes[0].upper().replace("-", " - ") + " "

    first = await world.verify_mfa.execute(VerifyMfaCommand(await challenge(world, tenant), typed, META))
    second = await world.verify_mfa.execute(VerifyMfaCommand(await challenge(world, tenant), codes[0], META))

    assert isinstance(ok(first), TokenPair)
    assert err(second).code == "auth.invalid_mfa_code"
    assert len(world.user(tenant.owner_id).recovery_code_hashes) == 9
    assert world.audit("auth.mfa")[-2].details == {"recovery_codes_left": 9}


async def test_an_expired_or_forged_mfa_token_is_refused(world: World) -> None:
    tenant, _ = await with_totp(world)
    token = await challenge(world, tenant)
    world.clock.advance(minutes=5)
    code = world.totp.code_at(world.clock.now())

    assert err(await world.verify_mfa.execute(VerifyMfaCommand(token, code, META))) == INVALID_MFA_TOKEN
    assert err(await world.verify_mfa.execute(VerifyMfaCommand("mfa-forged", code, META))) == INVALID_MFA_TOKEN


async def test_an_access_token_is_not_an_mfa_token(world: World) -> None:
    tenant = await world.tenant()
    pair, _ = await world.sign_in(tenant.slug, tenant.owner_email)

    result = await world.verify_mfa.execute(VerifyMfaCommand(pair.access_token, "000000", META))

    assert err(result) == INVALID_MFA_TOKEN


async def test_wrong_codes_count_towards_the_lockout(world: World) -> None:
    tenant, _ = await with_totp(world)

    errors = [
        err(await world.verify_mfa.execute(VerifyMfaCommand(await challenge(world, tenant), "not-a-code", META)))
        for _ in range(5)
    ]

    assert [e.kind for e in errors] == [ErrorKind.UNAUTHENTICATED] * 4 + [ErrorKind.LOCKED]
    assert len(world.audit("auth.lockout")) == 1
    assert err(await world.login(tenant.slug, tenant.owner_email)).kind is ErrorKind.LOCKED


async def test_until_enrolment_a_member_of_an_mfa_requiring_role_may_do_nothing(world: World) -> None:
    tenant = await world.tenant(settings=OrganizationSettings(mfa_required_roles=frozenset({Role.OWNER})))
    owner = await world.owner(tenant)
    assert owner.mfa_enrollment_required
    rename = UpdateUserCommand(user_id=tenant.owner_id, given_name="Grace")

    refused = await world.update_user.execute(owner, rename)

    assert err(refused).code == "auth.mfa_enrollment_required"
    assert err(refused).kind is ErrorKind.FORBIDDEN
    await world.enable_totp(owner)
    pair = ok(
        await world.verify_mfa.execute(
            VerifyMfaCommand(await challenge(world, tenant), world.totp.code_at(world.clock.now()), META)
        )
    )
    enrolled = ok(await world.authenticate.bearer(pair.access_token, META))
    assert not enrolled.mfa_enrollment_required
    assert ok(await world.update_user.execute(enrolled, rename)).given_name == "Grace"
