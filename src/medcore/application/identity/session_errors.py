"""Refusals shared by the session use cases."""

from __future__ import annotations

from medcore.domain.shared.errors import field_invalid

NOT_A_SESSION = field_invalid(
    "Authorization",
    "Only a signed-in user has sessions; API keys do not.",
    code="auth.not_a_session",
)
NOT_A_USER = field_invalid(
    "Authorization",
    "Only a signed-in user can do this; API keys cannot.",
    code="auth.not_a_user",
)
