"""What the practitioners context's lists may be filtered and sorted by."""

from __future__ import annotations

from medcore.domain.shared.listing import ListSpec

PRACTITIONER_LIST = ListSpec(
    filters=frozenset({"specialty", "active", "has_user"}),
    sorts=frozenset({"created_at", "family_name", "given_name"}),
    default_sort="family_name",
    searchable=True,
)
TIME_OFF_LIST = ListSpec(
    filters=frozenset({"from", "to"}),
    sorts=frozenset({"starts_at"}),
    default_sort="starts_at",
)
HOLIDAY_LIST = ListSpec(
    filters=frozenset({"from", "to"}),
    sorts=frozenset({"day"}),
    default_sort="day",
)
ROOM_LIST = ListSpec(
    filters=frozenset({"kind", "active"}),
    sorts=frozenset({"name", "created_at"}),
    default_sort="name",
)
APPOINTMENT_TYPE_LIST = ListSpec(
    filters=frozenset({"active"}),
    sorts=frozenset({"name", "created_at", "default_minutes"}),
    default_sort="name",
)
