"""RegisterPatient and VerifyEmail."""

from __future__ import annotations

from medcore.application.identity.register_patient import REGISTRATION_CLOSED, RegisterPatientCommand
from medcore.application.identity.reset_password import ResetPasswordCommand
from medcore.application.identity.tokens import TokenPair
from medcore.application.identity.verify_email import VerifyEmailCommand
from medcore.domain.audit.entry import Outcome
from medcore.domain.identity.action_token import INVALID_TOKEN
from medcore.domain.identity.organization import OrganizationSettings
from medcore.domain.identity.permissions import Permission, Role, permissions_of
from medcore.domain.identity.user import INVALID_CREDENTIALS, UserStatus
from medcore.domain.shared.errors import ErrorKind
from tests.unit.application.world import META, PASSWORD, Tenant, World, err, ok

OPEN = OrganizationSettings(self_registration=True, mfa_required_roles=frozenset())
PATIENT_EMAIL = "patient@mail.example"


def register(slug: str, email: str = PATIENT_EMAIL, password: str = PASSWORD) -> RegisterPatientCommand:
    return RegisterPatientCommand(
        organization=slug, email=email, password=password, given_name="Marie", family_name="Curie", meta=META
    )


async def open_tenant(world: World) -> Tenant:
    return await world.tenant(settings=OPEN)


async def test_registration_is_refused_where_the_organization_has_not_opened_it(world: World) -> None:
    tenant = await world.tenant()

    error = err(await world.register_patient.execute(register(tenant.slug)))

    assert error == REGISTRATION_CLOSED
    assert error.kind is ErrorKind.FORBIDDEN
    assert world.mailer.sent == []
    assert len(world.store.users) == 1


async def test_an_unknown_organization_answers_like_a_closed_one(world: World) -> None:
    assert err(await world.register_patient.execute(register("nowhere"))) == REGISTRATION_CLOSED
    assert err(await world.register_patient.execute(register("Not a slug!"))) == REGISTRATION_CLOSED


async def test_a_registered_patient_cannot_sign_in_until_the_email_is_verified(world: World) -> None:
    tenant = await open_tenant(world)

    ok(await world.register_patient.execute(register(tenant.slug)))

    patient = next(u for u in world.store.users.values() if u.role is Role.PATIENT)
    assert patient.status is UserStatus.PENDING_VERIFICATION
    assert patient.email_verified_at is None
    assert err(await world.login(tenant.slug, PATIENT_EMAIL)) == INVALID_CREDENTIALS
    [message] = world.mailer.sent
    assert message.to == PATIENT_EMAIL
    assert "verify-email?organization=clinic&token=" in message.text

    ok(await world.verify_email.execute(VerifyEmailCommand(tenant.slug, world.mailer.last_token(), META)))

    assert world.user(patient.id).status is UserStatus.ACTIVE
    assert world.user(patient.id).email_verified_at == world.clock.now()
    pair, actor = await world.sign_in(tenant.slug, PATIENT_EMAIL)
    assert isinstance(pair, TokenPair)
    assert actor.permissions == permissions_of(Role.PATIENT)
    assert Permission.USERS_READ not in actor.permissions
    trail = [(e.action, e.outcome) for e in world.store.audit if e.actor_id == patient.id]
    assert trail == [
        ("auth.register", Outcome.SUCCESS),
        ("auth.login", Outcome.FAILURE),
        ("auth.email_verify", Outcome.SUCCESS),
        ("auth.login", Outcome.SUCCESS),
    ]


async def test_a_verification_link_works_once_and_expires_after_forty_eight_hours(world: World) -> None:
    tenant = await open_tenant(world)
    ok(await world.register_patient.execute(register(tenant.slug)))
    ok(await world.register_patient.execute(register(tenant.slug, "late@mail.example")))
    first, late = (world.mailer.sent[0].text, world.mailer.sent[1].text)
    first_token = first.split("token=", 1)[1].split()[0]
    late_token = late.split("token=", 1)[1].split()[0]

    ok(await world.verify_email.execute(VerifyEmailCommand(tenant.slug, first_token, META)))
    assert err(await world.verify_email.execute(VerifyEmailCommand(tenant.slug, first_token, META))) == INVALID_TOKEN
    world.clock.advance(hours=48)
    assert err(await world.verify_email.execute(VerifyEmailCommand(tenant.slug, late_token, META))) == INVALID_TOKEN


async def test_a_verification_token_cannot_reset_a_password(world: World) -> None:
    tenant = await open_tenant(world)
    ok(await world.register_patient.execute(register(tenant.slug)))

    result = await world.reset_password.execute(
        ResetPasswordCommand(tenant.slug, world.mailer.last_token(), "another-good-password-1", META)
    )

    assert err(result) == INVALID_TOKEN


async def test_registering_a_taken_email_answers_the_same_but_mails_the_owner_of_the_address(world: World) -> None:
    tenant = await open_tenant(world)
    ok(await world.register_patient.execute(register(tenant.slug)))
    users_before = dict(world.store.users)

    again = await world.register_patient.execute(register(tenant.slug, PATIENT_EMAIL.upper(), "a-different-pass-42"))

    assert again == await world.register_patient.execute(register(tenant.slug, "fresh@mail.example"))
    assert set(users_before) <= set(world.store.users)
    assert len(world.store.users) == len(users_before) + 1  # only the fresh address made an account
    taken_message = world.mailer.sent[1]
    assert taken_message.to == PATIENT_EMAIL
    assert taken_message.subject == "Someone tried to register with your email"
    assert "token=" not in taken_message.text
    assert world.hasher.burned == 1  # the refusal costs a hash, like a registration
    assert world.audit("auth.register")[1].outcome is Outcome.FAILURE
    assert world.audit("auth.register")[1].details == {"reason": "email_taken"}


async def test_a_weak_password_or_a_bad_email_is_refused_before_anything_is_stored(world: World) -> None:
    tenant = await open_tenant(world)

    weak = err(await world.register_patient.execute(register(tenant.slug, password="patient1")))
    local = err(await world.register_patient.execute(register(tenant.slug, password="xx-patient-xx-99")))
    bad_email = err(await world.register_patient.execute(register(tenant.slug, email="not-an-email")))

    assert weak.code == local.code == "password.too_weak"
    assert bad_email.kind is ErrorKind.INVALID
    assert [i.field for i in bad_email.fields] == ["email"]
    assert len(world.store.users) == 1
    assert world.mailer.sent == []
