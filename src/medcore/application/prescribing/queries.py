"""What the prescribing lists may be filtered and sorted by (anything else is refused)."""

from __future__ import annotations

from medcore.domain.shared.listing import ListSpec

# Newest first unless a sort is given.
PATIENT_PRESCRIPTION_LIST = ListSpec(
    filters=frozenset({"status", "prescriber_id"}),
    sorts=frozenset({"created_at", "signed_at"}),
    default_sort="-created_at",
)
TEMPLATE_LIST = ListSpec(
    filters=frozenset({"practitioner_id"}),
    sorts=frozenset({"name", "created_at"}),
    default_sort="name",
)
# Without a sort, the best matches of ``q`` come first (code or name prefix), then by name.
FORMULARY_LIST = ListSpec(
    filters=frozenset({"controlled"}),
    sorts=frozenset({"name", "code"}),
    default_sort="name",
    searchable=True,
)
