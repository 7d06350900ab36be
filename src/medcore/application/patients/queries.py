"""What the patient lists may be filtered and sorted by (anything else is refused)."""

from __future__ import annotations

from medcore.domain.patients.history import EntryKind
from medcore.domain.shared.listing import ListSpec

PATIENT_LIST = ListSpec(
    filters=frozenset({"sex", "birth_date_from", "birth_date_to", "has_user", "user_id", "mrn"}),
    sorts=frozenset({"family_name", "given_name", "birth_date", "created_at", "mrn"}),
    default_sort="family_name",
    searchable=True,
)

_ENTRY_LIST = ListSpec(
    filters=frozenset({"status"}),
    sorts=frozenset({"created_at"}),
    default_sort="created_at",
)

# Measurements: newest first unless a sort is given.
ENTRY_LISTS: dict[EntryKind, ListSpec] = {
    EntryKind.ALLERGY: _ENTRY_LIST,
    EntryKind.CONDITION: _ENTRY_LIST,
    EntryKind.MEDICATION: _ENTRY_LIST,
    EntryKind.MEASUREMENT: ListSpec(
        filters=frozenset({"status", "kind"}),
        sorts=frozenset({"measured_at", "created_at"}),
        default_sort="-measured_at",
    ),
}

VERSION_LIST = ListSpec(
    filters=frozenset({"resource_type", "resource_id"}),
    sorts=frozenset({"sequence"}),
    default_sort="sequence",
)
