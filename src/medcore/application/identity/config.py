"""Deployment-wide settings the identity use cases need (the rest is per organization)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True, slots=True)
class IdentityConfig:
    access_token_ttl: timedelta = timedelta(minutes=15)
    mfa_challenge_ttl: timedelta = timedelta(minutes=5)
    app_url: str = "http://localhost:8000"  # where links in emails point
    issuer: str = "medcore"  # shown in authenticator apps
    api_key_default_overlap: timedelta = timedelta(hours=24)
