"""The notification port: messages to patients and staff by email or SMS.

Every notification carries a stable ``id`` that adapters use as an idempotency key: a
notification delivered twice (a batch job retried after a crash) reaches its recipient
once.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol
from uuid import UUID


class Channel(enum.StrEnum):
    EMAIL = "email"
    SMS = "sms"


@dataclass(frozen=True, slots=True, kw_only=True)
class Notification:
    id: UUID  # idempotency key
    organization_id: UUID
    channel: Channel
    to: str  # an email address or an E.164 phone number
    subject: str
    text: str
    kind: str  # "appointment.reminder", "waitlist.offer", ...


class Notifier(Protocol):
    async def deliver(self, notification: Notification) -> bool:
        """Deliver, at most once per ``notification.id``; False when it had already been
        delivered (nothing was sent this time)."""
