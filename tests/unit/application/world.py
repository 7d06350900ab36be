"""The identity use cases wired on the in-memory fakes, as ``medcore.container`` wires them on
the real adapters, plus a few steps that tests share (open a tenant, sign in, add a user)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.application.identity.authenticate import Authenticate
from medcore.application.identity.change_password import ChangePassword
from medcore.application.identity.config import IdentityConfig
from medcore.application.identity.confirm_totp import ConfirmTotp, ConfirmTotpCommand
from medcore.application.identity.create_api_key import CreateApiKey, CreateApiKeyCommand
from medcore.application.identity.create_organization import CreateOrganization, CreateOrganizationCommand
from medcore.application.identity.create_user import CreateUser, CreateUserCommand
from medcore.application.identity.deactivate_user import DeactivateUser
from medcore.application.identity.enroll_totp import EnrollTotp
from medcore.application.identity.forgot_password import ForgotPassword
from medcore.application.identity.list_sessions import ListSessions
from medcore.application.identity.login import Login, LoginCommand
from medcore.application.identity.logout import Logout
from medcore.application.identity.refresh import RefreshSession
from medcore.application.identity.register_patient import RegisterPatient
from medcore.application.identity.reset_password import ResetPassword
from medcore.application.identity.revoke_api_key import RevokeApiKey
from medcore.application.identity.revoke_session import RevokeSession
from medcore.application.identity.rotate_api_key import RotateApiKey
from medcore.application.identity.tokens import TokenPair
from medcore.application.identity.update_organization import UpdateOrganization
from medcore.application.identity.update_user import UpdateUser
from medcore.application.identity.verify_email import VerifyEmail
from medcore.application.identity.verify_mfa import VerifyMfa
from medcore.application.shared.actor import Actor, RequestMeta
from medcore.domain.audit.entry import AuditEntry
from medcore.domain.identity.organization import OrganizationSettings
from medcore.domain.identity.password import PasswordPolicy
from medcore.domain.identity.permissions import Role
from medcore.domain.identity.user import User
from medcore.domain.shared.errors import DomainError
from tests.unit.fakes import (
    FakeBox,
    FakeHasher,
    FakeSecrets,
    FakeSigner,
    FakeTotp,
    FakeUnitOfWork,
    FixedClock,
    RecordingMailer,
    SequentialIds,
    Store,
)

T = TypeVar("T")

PASSWORD = "violet-harbour-lantern-42"
META = RequestMeta(request_id="req-1", ip="203.0.113.7", user_agent="pytest")
# Short words on purpose: the policy must also find them under trailing digits and symbols.
COMMON_PASSWORDS = frozenset({"password", "letmein", "sunshine", "qwertyuiop", "iloveyou"})
NO_MFA = OrganizationSettings(mfa_required_roles=frozenset())


def ok(result: Result[T, DomainError]) -> T:
    """The value of a success; a failure fails the test with its error."""
    assert isinstance(result, Success), f"expected a success, got {result}"
    return result.unwrap()


def err(result: Result[object, DomainError]) -> DomainError:
    assert isinstance(result, Failure), f"expected a failure, got {result}"
    return result.failure()


@dataclass(frozen=True, slots=True)
class Tenant:
    organization_id: UUID
    slug: str
    owner_id: UUID
    owner_email: str


class World:
    """Everything a use case touches, observable: the store, the sent emails, the clock."""

    def __init__(self) -> None:
        self.store = Store()
        self.clock = FixedClock()
        self.ids = SequentialIds()
        self.hasher = FakeHasher()
        self.signer = FakeSigner()
        self.secrets = FakeSecrets()
        self.totp = FakeTotp()
        self.box = FakeBox()
        self.mailer = RecordingMailer()
        self.config = IdentityConfig()
        self.policy = PasswordPolicy(is_common=COMMON_PASSWORDS.__contains__)

        uow = self.unit_of_work
        clock, ids, hasher, signer, secrets = self.clock, self.ids, self.hasher, self.signer, self.secrets
        self.authenticate = Authenticate(uow, clock, signer)
        self.login_use_case = Login(uow, clock, ids, hasher, signer, secrets, self.config)
        self.verify_mfa = VerifyMfa(uow, clock, ids, hasher, signer, secrets, self.totp, self.box, self.config)
        self.refresh = RefreshSession(uow, clock, signer, secrets, self.config)
        self.logout = Logout(uow, clock)
        self.list_sessions = ListSessions(uow, clock)
        self.revoke_session = RevokeSession(uow, clock)
        self.register_patient = RegisterPatient(uow, clock, ids, hasher, self.policy, secrets, self.mailer, self.config)
        self.change_password = ChangePassword(uow, clock, hasher, self.policy)
        self.forgot_password = ForgotPassword(uow, clock, ids, secrets, self.mailer, self.config)
        self.reset_password = ResetPassword(uow, clock, hasher, self.policy)
        self.verify_email = VerifyEmail(uow, clock)
        self.enroll_totp = EnrollTotp(uow, clock, self.totp, self.box, self.config)
        self.confirm_totp = ConfirmTotp(uow, clock, self.totp, self.box, secrets)
        self.create_user = CreateUser(uow, clock, ids, hasher, self.policy, secrets, self.mailer, self.config)
        self.update_user = UpdateUser(uow, clock)
        self.deactivate_user = DeactivateUser(uow, clock)
        self.create_api_key = CreateApiKey(uow, clock, ids, secrets)
        self.rotate_api_key = RotateApiKey(uow, clock, secrets)
        self.revoke_api_key = RevokeApiKey(uow, clock)
        self.create_organization = CreateOrganization(uow, clock, ids, hasher, self.policy)
        self.update_organization = UpdateOrganization(uow, clock)

    def unit_of_work(self) -> FakeUnitOfWork:
        return FakeUnitOfWork(self.store)

    # --- observation -----------------------------------------------------------------

    def audit(self, action: str) -> list[AuditEntry]:
        return [entry for entry in self.store.audit if entry.action == action]

    def user(self, user_id: UUID) -> User:
        return self.store.users[user_id]

    # --- shared steps ----------------------------------------------------------------

    async def tenant(
        self, slug: str = "clinic", settings: OrganizationSettings = NO_MFA, owner_email: str | None = None
    ) -> Tenant:
        email = owner_email or f"owner@{slug}.example"
        created = ok(
            await self.create_organization.execute(
                CreateOrganizationCommand(
                    slug=slug, name=f"{slug} practice", owner_email=email, owner_password=PASSWORD, settings=settings
                )
            )
        )
        return Tenant(created.organization.id, slug, created.owner.id, email)

    async def login(self, slug: str, email: str, password: str = PASSWORD) -> Result[object, DomainError]:
        return await self.login_use_case.execute(LoginCommand(slug, email, password, META))

    async def sign_in(self, slug: str, email: str, password: str = PASSWORD) -> tuple[TokenPair, Actor]:
        """A password sign-in that must succeed without MFA, and the actor its token stands for."""
        pair = ok(await self.login(slug, email, password))
        assert isinstance(pair, TokenPair), f"expected tokens, got {pair}"
        return pair, ok(await self.authenticate.bearer(pair.access_token, META))

    async def owner(self, tenant: Tenant) -> Actor:
        return (await self.sign_in(tenant.slug, tenant.owner_email))[1]

    async def add_user(
        self, tenant: Tenant, role: Role, email: str, *, password: str | None = PASSWORD, by: Actor | None = None
    ) -> User:
        actor = by or await self.owner(tenant)
        return ok(
            await self.create_user.execute(
                actor,
                CreateUserCommand(email=email, role=role, given_name="Ada", family_name="Lovelace", password=password),
            )
        )

    async def member(self, tenant: Tenant, role: Role, email: str) -> tuple[User, TokenPair, Actor]:
        """A new signed-in member of ``tenant`` with ``role``."""
        user = await self.add_user(tenant, role, email)
        pair, actor = await self.sign_in(tenant.slug, email)
        return user, pair, actor

    async def api_key(self, tenant: Tenant, *scopes: str) -> str:
        """A new API key string of ``tenant``, created by its owner, with ``scopes``."""
        owner = await self.owner(tenant)
        issued = ok(await self.create_api_key.execute(owner, CreateApiKeyCommand(name="integration", scopes=scopes)))
        return issued.secret

    async def api_key_actor(self, tenant: Tenant, *scopes: str) -> Actor:
        return ok(await self.authenticate.api_key(await self.api_key(tenant, *scopes), META))

    async def enable_totp(self, actor: Actor) -> list[str]:
        """Enrol and confirm TOTP for the actor; answers the recovery codes. The clock moves one
        step on, so that the next code differs from the one used to confirm."""
        ok(await self.enroll_totp.execute(actor))
        codes = ok(await self.confirm_totp.execute(actor, ConfirmTotpCommand(self.totp.code_at(self.clock.now()))))
        self.clock.advance(seconds=30)
        return codes
