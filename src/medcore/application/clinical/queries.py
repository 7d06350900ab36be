"""What the clinical lists may be filtered and sorted by (anything else is refused)."""

from __future__ import annotations

from medcore.domain.shared.listing import ListSpec

CONSULTATION_LIST = ListSpec(
    filters=frozenset({"patient_id", "practitioner_id", "appointment_id", "status", "from", "to"}),
    sorts=frozenset({"started_at", "created_at"}),
    default_sort="-started_at",
)

TEMPLATE_LIST = ListSpec(
    filters=frozenset({"active"}),
    sorts=frozenset({"name", "created_at"}),
    default_sort="name",
)

HEALTH_REMINDER_LIST = ListSpec(
    filters=frozenset({"status"}),
    sorts=frozenset({"created_at"}),
    default_sort="-created_at",
)
