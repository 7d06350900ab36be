"""The key under which raw IPs and user agents are digested into the audit chain.

It is derived from the deployment's secret key, so the digests (which outlive erasure of
the raw values) cannot be reversed by trying every address. Without a secret key (a CLI
run in development) a published development key is used, with a warning: its digests
still chain, but protect nothing.
"""

from __future__ import annotations

from collections.abc import Callable

import structlog

from medcore.adapters.security.secrets import derive_key

log = structlog.get_logger(__name__)

DEVELOPMENT_DIGEST_KEY = derive_key(b"medcore development audit digests (no secret key configured)", "audit-digest")


def audit_digest_key(secret_key: bytes) -> bytes:
    return derive_key(secret_key, "audit-digest")


class LazyDigestKey:
    """Resolves the key on first use (commands that never write audit events need none)."""

    def __init__(self, secret_key: Callable[[], bytes | None]) -> None:
        self._secret_key = secret_key
        self._key: bytes | None = None

    def __call__(self) -> bytes:
        if self._key is None:
            secret = self._secret_key()
            if secret is None:
                log.warning("audit.digest_key.development", reason="no secret key configured")
                self._key = DEVELOPMENT_DIGEST_KEY
            else:
                self._key = audit_digest_key(secret)
        return self._key


def development_digest_key() -> bytes:
    return DEVELOPMENT_DIGEST_KEY
