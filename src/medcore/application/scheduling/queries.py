"""What the scheduling lists accept."""

from __future__ import annotations

from medcore.domain.shared.listing import ListSpec

APPOINTMENT_LIST = ListSpec(
    filters=frozenset({"practitioner_id", "patient_id", "room_id", "status", "from", "to", "series_id"}),
    sorts=frozenset({"starts_at", "created_at"}),
    default_sort="starts_at",
)
WAITLIST_LIST = ListSpec(
    filters=frozenset({"practitioner_id", "patient_id", "status"}),
    sorts=frozenset({"created_at"}),
    default_sort="created_at",
)
