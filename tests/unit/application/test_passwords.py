"""ChangePassword, ForgotPassword and ResetPassword."""

from __future__ import annotations

from medcore.application.identity.change_password import ChangePasswordCommand
from medcore.application.identity.forgot_password import ForgotPasswordCommand
from medcore.application.identity.reset_password import ResetPasswordCommand
from medcore.application.identity.tokens import TokenPair
from medcore.domain.audit.entry import Outcome
from medcore.domain.identity.action_token import INVALID_TOKEN
from medcore.domain.identity.permissions import Role
from medcore.domain.identity.session import RevocationReason
from medcore.domain.identity.user import INVALID_CREDENTIALS, UserStatus
from medcore.domain.shared.errors import ErrorKind
from tests.unit.application.world import META, PASSWORD, Tenant, World, err, ok

NEW_PASSWORD = "copper-meadow-sextant-77"

# --- ChangePassword ----------------------------------------------------------------------


async def test_changing_the_password_signs_out_every_other_session_and_keeps_this_one(world: World) -> None:
    tenant = await world.tenant()
    here, actor = await world.sign_in(tenant.slug, tenant.owner_email)
    elsewhere, _ = await world.sign_in(tenant.slug, tenant.owner_email)

    ok(await world.change_password.execute(actor, ChangePasswordCommand(PASSWORD, NEW_PASSWORD)))

    assert ok(await world.authenticate.bearer(here.access_token, META)).id == tenant.owner_id
    assert err(await world.authenticate.bearer(elsewhere.access_token, META)).kind is ErrorKind.UNAUTHENTICATED
    revoked = [s for s in world.store.sessions.values() if s.revoked_at is not None]
    assert [s.revoked_reason for s in revoked] == [RevocationReason.PASSWORD_CHANGED]
    assert world.audit("auth.password_change")[-1].details == {"sessions_revoked": 1}
    assert err(await world.login(tenant.slug, tenant.owner_email)) == INVALID_CREDENTIALS
    assert isinstance(ok(await world.login(tenant.slug, tenant.owner_email, NEW_PASSWORD)), TokenPair)


async def test_a_wrong_current_password_is_refused_and_counts_as_a_failed_login(world: World) -> None:
    tenant = await world.tenant()
    _, actor = await world.sign_in(tenant.slug, tenant.owner_email)

    error = err(await world.change_password.execute(actor, ChangePasswordCommand("not my password", NEW_PASSWORD)))

    assert error.code == "auth.invalid_credentials"
    assert [issue.field for issue in error.fields] == ["current_password"]
    assert world.user(tenant.owner_id).failed_logins == 1
    assert world.user(tenant.owner_id).password_hash == world.hasher.hash(PASSWORD)
    assert world.audit("auth.password_change")[-1].outcome is Outcome.FAILURE


async def test_guessing_the_current_password_locks_the_account(world: World) -> None:
    tenant = await world.tenant()
    _, actor = await world.sign_in(tenant.slug, tenant.owner_email)

    for _ in range(5):
        err(await world.change_password.execute(actor, ChangePasswordCommand("a guess", NEW_PASSWORD)))

    assert world.audit("auth.password_change")[-1].details["locked"] is True
    assert err(await world.login(tenant.slug, tenant.owner_email)).kind is ErrorKind.LOCKED


async def test_the_new_password_must_meet_the_policy_and_differ_from_the_current_one(world: World) -> None:
    tenant = await world.tenant()
    _, actor = await world.sign_in(tenant.slug, tenant.owner_email)

    weak = err(await world.change_password.execute(actor, ChangePasswordCommand(PASSWORD, "Password123!")))
    same = err(await world.change_password.execute(actor, ChangePasswordCommand(PASSWORD, PASSWORD)))

    assert weak.code == "password.too_weak"
    assert {i.field for i in weak.fields} == {"new_password"}
    assert [i.field for i in same.fields] == ["new_password"]
    assert world.user(tenant.owner_id).password_hash == world.hasher.hash(PASSWORD)


async def test_an_api_key_has_no_password_to_change(world: World) -> None:
    tenant = await world.tenant()
    key = await world.api_key_actor(tenant, "users:read")

    assert err(await world.change_password.execute(key, ChangePasswordCommand(PASSWORD, NEW_PASSWORD))).code == (
        "auth.not_a_user"
    )


# --- ForgotPassword / ResetPassword ------------------------------------------------------------


def forgot(tenant: Tenant, email: str) -> ForgotPasswordCommand:
    return ForgotPasswordCommand(organization=tenant.slug, email=email, meta=META)


def reset(tenant: Tenant, token: str, password: str = NEW_PASSWORD) -> ResetPasswordCommand:
    return ResetPasswordCommand(organization=tenant.slug, token=token, new_password=password, meta=META)


async def test_a_reset_request_answers_the_same_for_known_and_unknown_emails_but_mails_only_the_known(
    world: World,
) -> None:
    tenant = await world.tenant()

    unknown = await world.forgot_password.execute(forgot(tenant, "nobody@clinic.example"))
    assert world.mailer.sent == []
    known = await world.forgot_password.execute(forgot(tenant, tenant.owner_email))

    assert unknown == known
    [message] = world.mailer.sent
    assert message.to == tenant.owner_email
    assert "reset-password?organization=clinic&token=" in message.text
    assert [e.outcome for e in world.audit("auth.password_reset_request")] == [Outcome.FAILURE, Outcome.SUCCESS]


async def test_a_reset_request_for_an_unknown_organization_or_a_deactivated_account_sends_nothing(
    world: World,
) -> None:
    tenant = await world.tenant()
    nurse = await world.add_user(tenant, Role.NURSE, "nurse@clinic.example")
    world.store.users[nurse.id].status = UserStatus.DEACTIVATED
    sent_before = len(world.mailer.sent)

    ok(await world.forgot_password.execute(forgot(tenant, "nurse@clinic.example")))
    ok(
        await world.forgot_password.execute(
            ForgotPasswordCommand(organization="elsewhere", email=tenant.owner_email, meta=META)
        )
    )
    ok(await world.forgot_password.execute(ForgotPasswordCommand(organization="!!", email="??", meta=META)))

    assert len(world.mailer.sent) == sent_before


async def test_a_reset_token_sets_the_password_once_and_signs_every_session_out(world: World) -> None:
    tenant = await world.tenant()
    pair, _ = await world.sign_in(tenant.slug, tenant.owner_email)
    await world.forgot_password.execute(forgot(tenant, tenant.owner_email))
    token = world.mailer.last_token()

    ok(await world.reset_password.execute(reset(tenant, token)))
    again = err(await world.reset_password.execute(reset(tenant, token, "another-fine-password-9")))

    assert again == INVALID_TOKEN
    assert err(await world.authenticate.bearer(pair.access_token, META)).kind is ErrorKind.UNAUTHENTICATED
    assert isinstance(ok(await world.login(tenant.slug, tenant.owner_email, NEW_PASSWORD)), TokenPair)
    assert world.audit("auth.password_reset")[-1].details == {"sessions_revoked": 1}


async def test_a_reset_token_expires_after_thirty_minutes(world: World) -> None:
    tenant = await world.tenant()
    await world.forgot_password.execute(forgot(tenant, tenant.owner_email))
    world.clock.advance(minutes=30)

    assert err(await world.reset_password.execute(reset(tenant, world.mailer.last_token()))) == INVALID_TOKEN
    assert world.user(tenant.owner_id).password_hash == world.hasher.hash(PASSWORD)


async def test_a_new_reset_request_invalidates_the_previous_link(world: World) -> None:
    tenant = await world.tenant()
    await world.forgot_password.execute(forgot(tenant, tenant.owner_email))
    first = world.mailer.last_token()
    await world.forgot_password.execute(forgot(tenant, tenant.owner_email))

    assert err(await world.reset_password.execute(reset(tenant, first))) == INVALID_TOKEN
    ok(await world.reset_password.execute(reset(tenant, world.mailer.last_token())))


async def test_a_reset_token_works_only_in_its_own_organization(world: World) -> None:
    tenant = await world.tenant()
    other = await world.tenant(slug="other")
    await world.forgot_password.execute(forgot(tenant, tenant.owner_email))

    assert err(await world.reset_password.execute(reset(other, world.mailer.last_token()))) == INVALID_TOKEN


async def test_a_weak_new_password_leaves_the_reset_token_usable(world: World) -> None:
    tenant = await world.tenant()
    await world.forgot_password.execute(forgot(tenant, tenant.owner_email))
    token = world.mailer.last_token()

    weak = err(await world.reset_password.execute(reset(tenant, token, "short")))

    assert weak.code == "password.too_weak"
    ok(await world.reset_password.execute(reset(tenant, token)))


async def test_a_reset_clears_a_lockout(world: World) -> None:
    tenant = await world.tenant()
    for _ in range(5):
        await world.login(tenant.slug, tenant.owner_email, "wrong password!!")
    await world.forgot_password.execute(forgot(tenant, tenant.owner_email))

    ok(await world.reset_password.execute(reset(tenant, world.mailer.last_token())))

    assert isinstance(ok(await world.login(tenant.slug, tenant.owner_email, NEW_PASSWORD)), TokenPair)


async def test_an_invited_user_asking_for_a_reset_gets_a_new_invitation(world: World) -> None:
    tenant = await world.tenant()
    invited = await world.add_user(tenant, Role.NURSE, "new@clinic.example", password=None)
    first_invitation = world.mailer.last_token()

    await world.forgot_password.execute(forgot(tenant, "new@clinic.example"))

    assert "accept-invitation" in world.mailer.sent[-1].text
    assert err(await world.reset_password.execute(reset(tenant, first_invitation))) == INVALID_TOKEN
    ok(await world.reset_password.execute(reset(tenant, world.mailer.last_token())))
    assert world.user(invited.id).status is UserStatus.ACTIVE
