"""What the identity lists may be filtered and sorted by (anything else is refused)."""

from __future__ import annotations

from medcore.domain.shared.listing import ListSpec

USER_LIST = ListSpec(
    filters=frozenset({"role", "status", "email"}),
    sorts=frozenset({"created_at", "email", "family_name", "given_name"}),
    default_sort="created_at",
    searchable=True,
)
API_KEY_LIST = ListSpec(
    filters=frozenset({"active"}),
    sorts=frozenset({"created_at", "name"}),
    default_sort="created_at",
    searchable=False,
)
