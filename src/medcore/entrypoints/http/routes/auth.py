"""Authentication: sign-in, MFA, refresh, logout, sessions, passwords, registration."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Router, delete, get, post
from litestar.params import FromPath, JSONBody
from litestar.status_codes import HTTP_202_ACCEPTED, HTTP_204_NO_CONTENT

from medcore.application.identity.change_password import (
    ChangePassword,
    ChangePasswordCommand,
)
from medcore.application.identity.confirm_totp import ConfirmTotp, ConfirmTotpCommand
from medcore.application.identity.enroll_totp import EnrollTotp
from medcore.application.identity.forgot_password import (
    ForgotPassword,
    ForgotPasswordCommand,
)
from medcore.application.identity.get_current_user import GetCurrentUser
from medcore.application.identity.list_sessions import ListSessions
from medcore.application.identity.login import Login, LoginCommand
from medcore.application.identity.logout import Logout
from medcore.application.identity.refresh import RefreshCommand, RefreshSession
from medcore.application.identity.register_patient import (
    RegisterPatient,
    RegisterPatientCommand,
)
from medcore.application.identity.reset_password import (
    ResetPassword,
    ResetPasswordCommand,
)
from medcore.application.identity.revoke_session import RevokeSession
from medcore.application.identity.verify_email import VerifyEmail, VerifyEmailCommand
from medcore.application.identity.verify_mfa import VerifyMfa, VerifyMfaCommand
from medcore.application.shared.actor import Actor
from medcore.domain.shared.ports import Clock
from medcore.entrypoints.http.context import meta_of
from medcore.entrypoints.http.problems import unwrap
from medcore.entrypoints.http.routes.common import SECURED, Inject, documented, public
from medcore.entrypoints.http.schemas.identity import (
    Accepted,
    ChangePasswordRequest,
    ForgotPasswordRequest,
    LoginRequest,
    MeResponse,
    MfaChallengeResponse,
    MfaVerifyRequest,
    RecoveryCodes,
    RefreshRequest,
    RegisterRequest,
    ResetPasswordRequest,
    SessionList,
    TokenResponse,
    TotpConfirmRequest,
    TotpEnrollResponse,
    VerifyEmailRequest,
    login_response,
    me_response,
    session_out,
    token_response,
)

AUTH_ENDPOINT = {"rate_limit": "auth", "idempotency": "unsupported"}

Req = Request[Any, Any, Any]


@post(
    "/login",
    status_code=200,
    summary="Sign in with organization, email and password",
    description=(
        "Answers a token pair, or an MFA challenge to complete with `POST /auth/mfa/verify` when the account "
        "has two-factor authentication. Wrong organization, email or password all answer the same 401. "
        "After 5 consecutive failures (per organization settings) the account is locked for 15 minutes: 423."
    ),
    responses=public(401, 423),
    opt=AUTH_ENDPOINT,
)
async def login(
    data: JSONBody[LoginRequest], request: Req, login: Inject[Login]
) -> TokenResponse | MfaChallengeResponse:
    result = await login.execute(
        LoginCommand(
            organization=data.organization,
            email=data.email,
            password=data.password,
            meta=meta_of(request.scope),
        )
    )
    return login_response(unwrap(result))


@post(
    "/mfa/verify",
    status_code=200,
    summary="Complete a sign-in with a TOTP code or a recovery code",
    responses=public(401, 423),
    opt=AUTH_ENDPOINT,
)
async def verify_mfa(data: JSONBody[MfaVerifyRequest], request: Req, verify_mfa: Inject[VerifyMfa]) -> TokenResponse:
    result = await verify_mfa.execute(
        VerifyMfaCommand(mfa_token=data.mfa_token, code=data.code, meta=meta_of(request.scope))
    )
    return token_response(unwrap(result))


@post(
    "/refresh",
    status_code=200,
    summary="Exchange a refresh token for a new token pair",
    description="Each refresh token works once. Presenting a replaced one again signs the whole session out (theft detection).",
    responses=public(401),
    opt=AUTH_ENDPOINT,
)
async def refresh(data: JSONBody[RefreshRequest], request: Req, refresh: Inject[RefreshSession]) -> TokenResponse:
    result = await refresh.execute(RefreshCommand(refresh_token=data.refresh_token, meta=meta_of(request.scope)))
    return token_response(unwrap(result))


@post(
    "/logout",
    status_code=HTTP_204_NO_CONTENT,
    summary="End the current session",
    description="The session's access and refresh tokens stop working at once.",
    security=SECURED,
    responses=documented(),
)
async def logout(actor: Inject[Actor], logout: Inject[Logout]) -> None:
    unwrap(await logout.execute(actor))


@get(
    "/sessions",
    summary="List my active sessions",
    security=SECURED,
    responses=documented(),
)
async def list_sessions(actor: Inject[Actor], list_sessions: Inject[ListSessions]) -> SessionList:
    sessions = unwrap(await list_sessions.execute(actor))
    return SessionList(items=[session_out(s, actor.session_id) for s in sessions])


@delete(
    "/sessions/{session_id:uuid}",
    status_code=HTTP_204_NO_CONTENT,
    summary="Sign one of my sessions out",
    security=SECURED,
    responses=documented(404),
)
async def revoke_session(
    session_id: FromPath[UUID], actor: Inject[Actor], revoke_session: Inject[RevokeSession]
) -> None:
    unwrap(await revoke_session.execute(actor, session_id))


@get(
    "/me",
    summary="Who am I: account, organization, role and permissions",
    security=SECURED,
    responses=documented(),
)
async def me(actor: Inject[Actor], get_current_user: Inject[GetCurrentUser], clock: Inject[Clock]) -> MeResponse:
    return me_response(unwrap(await get_current_user.execute(actor)), clock.now())


@post(
    "/register",
    status_code=HTTP_202_ACCEPTED,
    summary="Register as a patient (where the organization allows it)",
    description=(
        "Creates an account that must confirm its email before signing in. The answer is the same whether or not "
        "the email already had an account; its owner is told by email."
    ),
    responses=public(403),
    opt=AUTH_ENDPOINT,
)
async def register(
    data: JSONBody[RegisterRequest], request: Req, register_patient: Inject[RegisterPatient]
) -> Accepted:
    unwrap(
        await register_patient.execute(
            RegisterPatientCommand(
                organization=data.organization,
                email=data.email,
                password=data.password,
                given_name=data.given_name,
                family_name=data.family_name,
                meta=meta_of(request.scope),
            )
        )
    )
    return Accepted(detail="Check your mailbox to confirm your email address.")


@post(
    "/password/change",
    status_code=HTTP_204_NO_CONTENT,
    summary="Change my password",
    description="Signs out every other session of the account. Wrong current passwords count towards the "
    "lockout (423), as failed sign-ins do.",
    security=SECURED,
    responses=documented(423),
    opt={"rate_limit": "auth"},
)
async def change_password(
    data: JSONBody[ChangePasswordRequest],
    actor: Inject[Actor],
    change_password: Inject[ChangePassword],
) -> None:
    unwrap(
        await change_password.execute(
            actor,
            ChangePasswordCommand(current_password=data.current_password, new_password=data.new_password),
        )
    )


@post(
    "/password/forgot",
    status_code=HTTP_202_ACCEPTED,
    summary="Ask for a password reset link",
    description="The answer is the same whether or not the account exists.",
    responses=public(),
    opt=AUTH_ENDPOINT,
)
async def forgot_password(
    data: JSONBody[ForgotPasswordRequest], request: Req, forgot_password: Inject[ForgotPassword]
) -> Accepted:
    unwrap(
        await forgot_password.execute(
            ForgotPasswordCommand(
                organization=data.organization,
                email=data.email,
                meta=meta_of(request.scope),
            )
        )
    )
    return Accepted(detail="If an account exists for this email, a reset link is on its way.")


@post(
    "/password/reset",
    status_code=HTTP_204_NO_CONTENT,
    summary="Set a new password with a reset or invitation link",
    description="Signs out every session of the account.",
    responses=public(),
    opt=AUTH_ENDPOINT,
)
async def reset_password(
    data: JSONBody[ResetPasswordRequest], request: Req, reset_password: Inject[ResetPassword]
) -> None:
    unwrap(
        await reset_password.execute(
            ResetPasswordCommand(
                organization=data.organization,
                token=data.token,
                new_password=data.new_password,
                meta=meta_of(request.scope),
            )
        )
    )


@post(
    "/email/verify",
    status_code=HTTP_204_NO_CONTENT,
    summary="Confirm an email address",
    responses=public(),
    opt=AUTH_ENDPOINT,
)
async def verify_email(data: JSONBody[VerifyEmailRequest], request: Req, verify_email: Inject[VerifyEmail]) -> None:
    unwrap(
        await verify_email.execute(
            VerifyEmailCommand(
                organization=data.organization,
                token=data.token,
                meta=meta_of(request.scope),
            )
        )
    )


@post(
    "/mfa/totp/enroll",
    status_code=200,
    summary="Start two-factor authentication: get a TOTP secret",
    security=SECURED,
    responses=documented(409),
    opt={"idempotency": "unsupported"},
)
async def enroll_totp(actor: Inject[Actor], enroll_totp: Inject[EnrollTotp]) -> TotpEnrollResponse:
    enrolment = unwrap(await enroll_totp.execute(actor))
    return TotpEnrollResponse(secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri)


@post(
    "/mfa/totp/confirm",
    status_code=200,
    summary="Confirm two-factor authentication with a first code; get recovery codes",
    security=SECURED,
    responses=documented(409),
    opt={"idempotency": "unsupported", "rate_limit": "auth"},
)
async def confirm_totp(
    data: JSONBody[TotpConfirmRequest], actor: Inject[Actor], confirm_totp: Inject[ConfirmTotp]
) -> RecoveryCodes:
    codes = unwrap(await confirm_totp.execute(actor, ConfirmTotpCommand(code=data.code)))
    return RecoveryCodes(recovery_codes=codes)


router = Router(
    path="/api/v1/auth",
    tags=["auth"],
    route_handlers=[
        login,
        verify_mfa,
        refresh,
        logout,
        list_sessions,
        revoke_session,
        me,
        register,
        change_password,
        forgot_password,
        reset_password,
        verify_email,
        enroll_totp,
        confirm_totp,
    ],
)
