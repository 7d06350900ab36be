"""Readiness: can this process serve requests right now?"""

from __future__ import annotations

from typing import Protocol


class ReadinessProbe(Protocol):
    async def check(self) -> dict[str, str]:
        """Each check's name and ``ok`` or a short, secret-free reason."""
