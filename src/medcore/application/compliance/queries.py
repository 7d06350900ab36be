"""What the compliance lists may be filtered and sorted by."""

from __future__ import annotations

from medcore.domain.shared.listing import ListSpec

LEGAL_HOLD_LIST = ListSpec(
    filters=frozenset({"active", "scope", "subject_id"}),
    sorts=frozenset({"placed_at"}),
    default_sort="-placed_at",
)
