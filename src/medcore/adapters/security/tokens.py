"""JSON Web Tokens (HS256) for access tokens and pending MFA challenges."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import jwt

from medcore.domain.identity.ports import AccessClaims, MfaChallenge

_ALGORITHM = "HS256"
_LEEWAY_SECONDS = 5


class JwtTokenSigner:
    """Tokens carry a ``typ`` claim so an MFA challenge can never pass for an access token."""

    def __init__(self, secret: bytes, issuer: str = "medcore", audience: str = "medcore-api") -> None:
        if len(secret) < 32:
            raise ValueError("the signing secret must be at least 32 bytes")
        self._secret = secret
        self._issuer = issuer
        self._audience = audience

    def _encode(self, claims: dict[str, Any], issued_at: datetime, expires_at: datetime) -> str:
        payload = {
            **claims,
            "iss": self._issuer,
            "aud": self._audience,
            "iat": int(issued_at.timestamp()),
            "exp": int(expires_at.timestamp()),
        }
        return jwt.encode(payload, self._secret, algorithm=_ALGORITHM)

    def _decode(self, token: str, typ: str, now: datetime) -> dict[str, Any] | None:
        try:
            payload: dict[str, Any] = jwt.decode(
                token,
                self._secret,
                algorithms=[_ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options={
                    "verify_exp": False,
                    "verify_iat": False,
                    "require": ["exp", "iat", "iss", "aud", "typ"],
                },
            )
        except jwt.PyJWTError:
            return None
        # Times are checked against the injected clock, not the machine's.
        if (
            payload.get("typ") != typ
            or int(payload["exp"]) + _LEEWAY_SECONDS <= now.timestamp()
            or int(payload["iat"]) > now.timestamp() + _LEEWAY_SECONDS
        ):
            return None
        return payload

    def issue_access(self, claims: AccessClaims, issued_at: datetime) -> str:
        return self._encode(
            {
                "typ": "access",
                "sub": str(claims.user_id),
                "org": str(claims.organization_id),
                "sid": str(claims.session_id),
            },
            issued_at,
            claims.expires_at,
        )

    def read_access(self, token: str, now: datetime) -> AccessClaims | None:
        payload = self._decode(token, "access", now)
        if payload is None:
            return None
        try:
            return AccessClaims(
                organization_id=UUID(payload["org"]),
                user_id=UUID(payload["sub"]),
                session_id=UUID(payload["sid"]),
                expires_at=datetime.fromtimestamp(int(payload["exp"]), UTC),
            )
        except (KeyError, ValueError, TypeError):
            return None

    def issue_mfa_challenge(self, challenge: MfaChallenge, issued_at: datetime) -> str:
        return self._encode(
            {
                "typ": "mfa",
                "sub": str(challenge.user_id),
                "org": str(challenge.organization_id),
            },
            issued_at,
            challenge.expires_at,
        )

    def read_mfa_challenge(self, token: str, now: datetime) -> MfaChallenge | None:
        payload = self._decode(token, "mfa", now)
        if payload is None:
            return None
        try:
            return MfaChallenge(
                organization_id=UUID(payload["org"]),
                user_id=UUID(payload["sub"]),
                expires_at=datetime.fromtimestamp(int(payload["exp"]), UTC),
            )
        except (KeyError, ValueError, TypeError):
            return None
