"""Settings: ``MEDCORE_*`` environment variables parsed into one typed object at start-up.

Secrets may also come from files (``MEDCORE_SECRET_KEY_FILE=/run/secrets/key``), as
container orchestrators mount them. A wrong or missing setting stops start-up with a
message naming the variable. ``docs/configuration.md`` lists them all.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Literal

import msgspec
from msgspec import Meta

PREFIX = "MEDCORE_"
_FILE_SETTINGS = frozenset({"database_url", "secret_key", "rate_limit_storage", "audit_signing_key"})
_LIST_SETTINGS = frozenset({"cors_origins", "audit_trusted_keys"})
_RATE = r"^\d+\s*(/|per)\s*\d*\s*(second|minute|hour|day)s?$"

RateLimit = Annotated[str, Meta(pattern=_RATE)]


class Settings(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    database_url: str | None = None
    """PostgreSQL URL (``postgresql://user:pass@host/db``). Unset: an embedded server under ``data_dir``."""
    data_dir: Path = Path(".medcore")
    """Where the embedded database, the email outbox and generated development secrets live."""
    secret_key: Annotated[str, Meta(min_length=32)] | None = None
    """Signs tokens and seals secrets at rest. Required, except with ``serve --demo``."""
    app_url: str = "http://localhost:8000"
    """Base URL of the application that opens the links sent by email."""
    public_url: str = "http://localhost:8000"
    """Base URL at which this API is reached from outside (calendar feeds, prescription verification)."""
    access_token_minutes: Annotated[int, Meta(ge=1, le=1440)] = 15
    db_pool_size: Annotated[int, Meta(ge=1, le=200)] = 10
    db_max_overflow: Annotated[int, Meta(ge=0, le=200)] = 10
    auto_migrate: bool = False
    """Apply pending migrations when the server starts (otherwise it refuses to start)."""
    cors_origins: tuple[str, ...] = ()
    """Comma-separated origins allowed by CORS; empty allows none."""
    max_body_bytes: Annotated[int, Meta(ge=1024, le=1_073_741_824)] = 1_048_576
    trust_forwarded_headers: bool = False
    """Take client IP and scheme from ``X-Forwarded-For``/``-Proto`` (behind a trusted proxy only)."""
    rate_limits_enabled: bool = True
    rate_limit_storage: str = "memory://"
    """``memory://`` (per process) or a shared store such as ``redis://host:6379``."""
    rate_limit_auth: RateLimit = "10/minute"
    """Per client IP, on authentication endpoints."""
    rate_limit_ip: RateLimit = "600/minute"
    rate_limit_user: RateLimit = "1200/minute"
    """Per user or API key."""
    rate_limit_organization: RateLimit = "6000/minute"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"
    email_from: str = "medcore <no-reply@medcore.local>"
    outbox_dir: Path | None = None
    """Where outgoing emails are written as .eml files. Default: ``<data_dir>/outbox``."""

    audit_signing_key: str | None = None
    """Ed25519 key signing audit checkpoints: base64 of a 32-byte seed, or a PEM private key."""
    audit_trusted_keys: tuple[str, ...] = ()
    """Comma-separated public keys (base64 or PEM) whose older checkpoints still verify."""

    @property
    def email_outbox(self) -> Path:
        return self.outbox_dir or self.data_dir / "outbox"


class SettingsError(Exception):
    """Raised with a message that names the variable at fault."""


def _env_name(field: str) -> str:
    return PREFIX + field.upper()


def _raw_values(environ: Mapping[str, str]) -> dict[str, object]:
    raw: dict[str, object] = {}
    known = set(Settings.__struct_fields__)
    for name, value in environ.items():
        if not name.startswith(PREFIX):
            continue
        key = name[len(PREFIX) :].lower()
        if key.endswith("_file") and key[: -len("_file")] in _FILE_SETTINGS:
            field = key[: -len("_file")]
            if environ.get(_env_name(field)):
                raise SettingsError(f"Set {_env_name(field)} or {name}, not both.")
            try:
                value = Path(value).read_text().strip()
            except OSError as exc:
                raise SettingsError(f"{name}: cannot read {value!r} ({exc.strerror}).") from exc
            key = field
        elif key not in known:
            continue  # other tools' MEDCORE_* variables (tests, benchmarks) are not ours to refuse
        if key in _LIST_SETTINGS:
            raw[key] = [item.strip() for item in value.split(",") if item.strip()]
        elif value == "" and key in ("database_url", "secret_key", "outbox_dir", "audit_signing_key"):
            continue
        else:
            raw[key] = value
    return raw


def _decode(kind: type, value: object) -> object:
    if kind is Path and isinstance(value, str):
        return Path(value)
    raise NotImplementedError


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    raw = _raw_values(environ)
    try:
        settings = msgspec.convert(raw, Settings, strict=False, dec_hook=_decode)
    except msgspec.ValidationError as exc:
        message = str(exc)
        match = re.search(r"at `\$\.(\w+)", message)
        variable = _env_name(match.group(1)) if match else "a MEDCORE_* variable"
        reason = message.split(" - at ")[0]
        raise SettingsError(f"{variable}: {reason}.") from exc
    if settings.database_url is not None and not re.match(r"^postgres(ql)?(\+psycopg)?://", settings.database_url):
        raise SettingsError(f"{_env_name('database_url')}: expected a postgresql:// URL.")
    return settings
