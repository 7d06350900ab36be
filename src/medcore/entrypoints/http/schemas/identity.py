"""Request and response bodies of the identity endpoints."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType

from medcore.application.identity.get_current_user import CurrentPrincipal
from medcore.application.identity.tokens import MfaRequired, TokenPair
from medcore.domain.identity.api_key import KEY_PREFIX, ApiKey
from medcore.domain.identity.organization import Organization
from medcore.domain.identity.permissions import Permission, Role
from medcore.domain.identity.session import Session
from medcore.domain.identity.user import User, UserStatus
from medcore.entrypoints.http.listing import PageInfo
from medcore.entrypoints.http.schemas.common import Email, Secret, ShortText, Slug

# --- authentication ---------------------------------------------------------------------


class LoginRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    organization: Slug
    email: Email
    password: Secret


class TokenResponse(msgspec.Struct, frozen=True):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: Literal["Bearer"] = "Bearer"
    mfa_enrollment_required: bool = False


class MfaChallengeResponse(msgspec.Struct, frozen=True):
    mfa_token: str
    expires_in: int
    mfa_required: Literal[True] = True


def token_response(pair: TokenPair) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access_token,
        refresh_token=pair.refresh_token,
        expires_in=pair.expires_in,
        mfa_enrollment_required=pair.mfa_enrollment_required,
    )


def login_response(
    outcome: TokenPair | MfaRequired,
) -> TokenResponse | MfaChallengeResponse:
    if isinstance(outcome, MfaRequired):
        return MfaChallengeResponse(mfa_token=outcome.mfa_token, expires_in=outcome.expires_in)
    return token_response(outcome)


class MfaVerifyRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    mfa_token: Secret
    code: Annotated[str, msgspec.Meta(max_length=32)]


class RefreshRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    refresh_token: Secret


class SessionOut(msgspec.Struct, frozen=True):
    id: UUID
    created_at: datetime
    last_used_at: datetime
    expires_at: datetime
    mfa_verified: bool
    current: bool
    ip: str | None = None
    user_agent: str | None = None


def session_out(session: Session, current: UUID | None) -> SessionOut:
    return SessionOut(
        id=session.id,
        created_at=session.created_at,
        last_used_at=session.last_used_at,
        expires_at=session.expires_at,
        mfa_verified=session.mfa_verified,
        current=session.id == current,
        ip=session.ip,
        user_agent=session.user_agent,
    )


class SessionList(msgspec.Struct, frozen=True):
    items: list[SessionOut]


class RegisterRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    organization: Slug
    email: Email
    password: Secret
    given_name: ShortText
    family_name: ShortText


class Accepted(msgspec.Struct, frozen=True):
    status: Literal["accepted"] = "accepted"
    detail: str = ""


class ChangePasswordRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    current_password: Secret
    new_password: Secret


class ForgotPasswordRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    organization: Slug
    email: Email


class ResetPasswordRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    organization: Slug
    token: Secret
    new_password: Secret


class VerifyEmailRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    organization: Slug
    token: Secret


class TotpEnrollResponse(msgspec.Struct, frozen=True):
    secret: str
    otpauth_uri: str


class TotpConfirmRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    code: Annotated[str, msgspec.Meta(max_length=32)]


class RecoveryCodes(msgspec.Struct, frozen=True):
    recovery_codes: list[str]


# --- users ------------------------------------------------------------------------------


class UserOut(msgspec.Struct, frozen=True):
    id: UUID
    email: str
    given_name: str
    family_name: str
    role: Role
    status: UserStatus
    email_verified: bool
    mfa_enabled: bool
    locked: bool
    created_at: datetime
    updated_at: datetime
    version: int
    last_login_at: datetime | None = None


def user_out(user: User, now: datetime) -> UserOut:
    return UserOut(
        id=user.id,
        email=user.email.value,
        given_name=user.given_name,
        family_name=user.family_name,
        role=user.role,
        status=user.status,
        email_verified=user.email_verified_at is not None,
        mfa_enabled=user.mfa_enabled,
        locked=user.is_locked(now),
        created_at=user.created_at,
        updated_at=user.updated_at,
        version=user.version,
        last_login_at=user.last_login_at,
    )


class UserList(msgspec.Struct, frozen=True):
    items: list[UserOut]
    page: PageInfo


class CreateUserRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    email: Email
    role: Role
    given_name: ShortText
    family_name: ShortText
    password: Secret | None = None


class UpdateUserRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    given_name: ShortText | UnsetType = UNSET
    family_name: ShortText | UnsetType = UNSET
    role: Role | UnsetType = UNSET


# --- API keys ---------------------------------------------------------------------------


class ApiKeyOut(msgspec.Struct, frozen=True):
    id: UUID
    name: str
    prefix: str
    scopes: list[Permission]
    active: bool
    created_by: UUID
    created_at: datetime
    updated_at: datetime
    version: int
    expires_at: datetime | None = None
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    previous_secret_valid_until: datetime | None = None


def api_key_out(key: ApiKey, now: datetime) -> ApiKeyOut:
    return ApiKeyOut(
        id=key.id,
        name=key.name,
        prefix=f"{KEY_PREFIX}{key.key_id}",
        scopes=sorted(key.scopes),
        active=key.is_active(now),
        created_by=key.created_by,
        created_at=key.created_at,
        updated_at=key.updated_at,
        version=key.version,
        expires_at=key.expires_at,
        last_used_at=key.last_used_at,
        revoked_at=key.revoked_at,
        previous_secret_valid_until=key.previous_valid_until
        if key.previous_valid_until and key.previous_valid_until > now
        else None,
    )


class ApiKeyList(msgspec.Struct, frozen=True):
    items: list[ApiKeyOut]
    page: PageInfo


class CreateApiKeyRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: ShortText
    scopes: Annotated[list[Annotated[str, msgspec.Meta(max_length=100)]], msgspec.Meta(max_length=100)]
    expires_at: datetime | None = None


class RotateApiKeyRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    overlap_minutes: Annotated[int, msgspec.Meta(ge=0, le=10080)] = 1440


class ApiKeyIssued(msgspec.Struct, frozen=True):
    api_key: ApiKeyOut
    key: str  # shown once


# --- organization -----------------------------------------------------------------------


class SchedulingSettingsOut(msgspec.Struct, frozen=True):
    slot_granularity_minutes: int
    min_notice_minutes: int
    max_horizon_days: int
    patient_overlap_allowed: bool
    late_cancel_window_minutes: int
    reminder_offsets_minutes: list[int]
    calendar_detail: Literal["busy", "patient_initials", "patient_name"]


class PatientPortalSettingsOut(msgspec.Struct, frozen=True):
    editable_fields: list[str]
    history_visible: bool


class OrganizationSettingsOut(msgspec.Struct, frozen=True):
    self_registration: bool
    mfa_required_roles: list[Role]
    lockout_threshold: int
    lockout_minutes: int
    scheduling: SchedulingSettingsOut
    patients: PatientPortalSettingsOut


class OrganizationOut(msgspec.Struct, frozen=True):
    id: UUID
    slug: str
    name: str
    settings: OrganizationSettingsOut
    created_at: datetime
    updated_at: datetime
    version: int


def organization_out(organization: Organization) -> OrganizationOut:
    settings = organization.settings
    return OrganizationOut(
        id=organization.id,
        slug=organization.slug.value,
        name=organization.name,
        settings=OrganizationSettingsOut(
            self_registration=settings.self_registration,
            mfa_required_roles=sorted(settings.mfa_required_roles),
            lockout_threshold=settings.lockout_threshold,
            lockout_minutes=settings.lockout_minutes,
            scheduling=SchedulingSettingsOut(
                slot_granularity_minutes=settings.scheduling.slot_granularity_minutes,
                min_notice_minutes=settings.scheduling.min_notice_minutes,
                max_horizon_days=settings.scheduling.max_horizon_days,
                patient_overlap_allowed=settings.scheduling.patient_overlap_allowed,
                late_cancel_window_minutes=settings.scheduling.late_cancel_window_minutes,
                reminder_offsets_minutes=list(settings.scheduling.reminder_offsets_minutes),
                calendar_detail=settings.scheduling.calendar_detail,  # type: ignore[arg-type]
            ),
            patients=PatientPortalSettingsOut(
                editable_fields=sorted(settings.patients.editable_fields),
                history_visible=settings.patients.history_visible,
            ),
        ),
        created_at=organization.created_at,
        updated_at=organization.updated_at,
        version=organization.version,
    )


class SchedulingSettingsPatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    slot_granularity_minutes: int | UnsetType = UNSET
    min_notice_minutes: int | UnsetType = UNSET
    max_horizon_days: int | UnsetType = UNSET
    patient_overlap_allowed: bool | UnsetType = UNSET
    late_cancel_window_minutes: int | UnsetType = UNSET
    reminder_offsets_minutes: Annotated[list[int], msgspec.Meta(max_length=10)] | UnsetType = UNSET
    calendar_detail: Literal["busy", "patient_initials", "patient_name"] | UnsetType = UNSET

    def changes(self) -> dict[str, object]:
        found = {name: getattr(self, name) for name in self.__struct_fields__ if getattr(self, name) is not UNSET}
        if "reminder_offsets_minutes" in found:
            found["reminder_offsets_minutes"] = tuple(sorted(set(found["reminder_offsets_minutes"]), reverse=True))
        return found


class PatientPortalSettingsPatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    editable_fields: (
        Annotated[list[Annotated[str, msgspec.Meta(max_length=50)]], msgspec.Meta(max_length=20)] | UnsetType
    ) = UNSET
    history_visible: bool | UnsetType = UNSET

    def changes(self) -> dict[str, object]:
        found = {name: getattr(self, name) for name in self.__struct_fields__ if getattr(self, name) is not UNSET}
        if "editable_fields" in found:
            found["editable_fields"] = frozenset(found["editable_fields"])
        return found


class OrganizationSettingsPatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    self_registration: bool | UnsetType = UNSET
    mfa_required_roles: Annotated[list[Role], msgspec.Meta(max_length=10)] | UnsetType = UNSET
    lockout_threshold: int | UnsetType = UNSET
    lockout_minutes: int | UnsetType = UNSET
    scheduling: SchedulingSettingsPatch | UnsetType = UNSET
    patients: PatientPortalSettingsPatch | UnsetType = UNSET


class UpdateOrganizationRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    name: ShortText | UnsetType = UNSET
    settings: OrganizationSettingsPatch | UnsetType = UNSET


# --- me ---------------------------------------------------------------------------------


class OrganizationRef(msgspec.Struct, frozen=True):
    id: UUID
    slug: str
    name: str


class MeResponse(msgspec.Struct, frozen=True):
    organization: OrganizationRef
    permissions: list[Permission]
    mfa_enrollment_required: bool
    role: Role | None = None
    user: UserOut | None = None
    api_key: ApiKeyOut | None = None


def me_response(principal: CurrentPrincipal, now: datetime) -> MeResponse:
    organization = principal.organization
    return MeResponse(
        organization=OrganizationRef(id=organization.id, slug=organization.slug.value, name=organization.name),
        permissions=sorted(principal.actor.permissions),
        mfa_enrollment_required=principal.actor.mfa_enrollment_required,
        role=principal.actor.role,
        user=user_out(principal.user, now) if principal.user else None,
        api_key=api_key_out(principal.api_key, now) if principal.api_key else None,
    )
