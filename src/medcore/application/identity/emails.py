"""The texts of identity emails. They carry links with single-use tokens and nothing else
about the recipient's care."""

from __future__ import annotations

from urllib.parse import urlencode

from medcore.application.identity.config import IdentityConfig
from medcore.domain.identity.ports import OutgoingEmail


def _link(config: IdentityConfig, path: str, organization: str, token: str) -> str:
    return f"{config.app_url.rstrip('/')}/{path}?{urlencode({'organization': organization, 'token': token})}"


def password_reset(config: IdentityConfig, to: str, organization: str, token: str) -> OutgoingEmail:
    return OutgoingEmail(
        to=to,
        subject="Reset your medcore password",
        text=(
            "Someone asked to reset the password of your medcore account.\n\n"
            f"To choose a new password, open this link within 30 minutes:\n{_link(config, 'reset-password', organization, token)}\n\n"
            "If it was not you, ignore this email: your password stays as it is.\n"
        ),
    )


def email_verification(config: IdentityConfig, to: str, organization: str, token: str) -> OutgoingEmail:
    return OutgoingEmail(
        to=to,
        subject="Confirm your email address",
        text=(
            "Welcome to medcore.\n\n"
            f"Confirm your email address within 48 hours by opening this link:\n{_link(config, 'verify-email', organization, token)}\n"
        ),
    )


def invitation(
    config: IdentityConfig,
    to: str,
    organization_name: str,
    organization: str,
    token: str,
) -> OutgoingEmail:
    return OutgoingEmail(
        to=to,
        subject=f"You are invited to {organization_name} on medcore",
        text=(
            f"You have been invited to join {organization_name} on medcore.\n\n"
            f"Choose your password within 7 days with this link:\n{_link(config, 'accept-invitation', organization, token)}\n"
        ),
    )


def already_registered(config: IdentityConfig, to: str, organization: str) -> OutgoingEmail:
    return OutgoingEmail(
        to=to,
        subject="Someone tried to register with your email",
        text=(
            "Someone tried to create a medcore account with this email address, which already has one.\n\n"
            f"If it was you, sign in instead, or reset your password at {config.app_url.rstrip('/')}/forgot-password"
            f"?{urlencode({'organization': organization})}\n"
        ),
    )
