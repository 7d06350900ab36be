"""What the audit lists may be filtered and sorted by (anything else is refused)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from uuid import UUID

from medcore.domain.audit.entry import Outcome
from medcore.domain.audit.ports import AuditFilter
from medcore.domain.shared.listing import ListSpec

AUDIT_EVENT_LIST = ListSpec(
    filters=frozenset({"patient_id", "actor_id", "action", "resource_type", "resource_id", "outcome", "from", "to"}),
    sorts=frozenset({"sequence"}),
    default_sort="sequence",  # newest first unless `sort=sequence` asks for the oldest first
)
ACCESS_LOG_LIST = ListSpec(filters=frozenset(), sorts=frozenset({"sequence"}), default_sort="sequence")


def audit_filter(filters: Mapping[str, object]) -> AuditFilter:
    """The criteria of a list query (values already parsed by the entrypoint)."""

    def uuid_of(name: str) -> UUID | None:
        value = filters.get(name)
        return value if isinstance(value, UUID) else None

    def text_of(name: str) -> str | None:
        value = filters.get(name)
        return value if isinstance(value, str) else None

    def instant_of(name: str) -> datetime | None:
        value = filters.get(name)
        return value if isinstance(value, datetime) else None

    outcome = text_of("outcome")
    return AuditFilter(
        patient_id=uuid_of("patient_id"),
        actor_id=uuid_of("actor_id"),
        action=text_of("action"),
        resource_type=text_of("resource_type"),
        resource_id=uuid_of("resource_id"),
        outcome=Outcome(outcome) if outcome is not None else None,
        occurred_from=instant_of("from"),
        occurred_to=instant_of("to"),
    )


def filter_details(criteria: AuditFilter) -> dict[str, str | int | bool | None]:
    """The criteria of a read of the trail, for its own audit event: ids and codes only."""
    details: dict[str, str | int | bool | None] = {}
    for name, value in (
        ("patient_id", criteria.patient_id),
        ("actor_id", criteria.actor_id),
        ("resource_id", criteria.resource_id),
        ("action", criteria.action),
        ("resource_type", criteria.resource_type),
        ("outcome", criteria.outcome.value if criteria.outcome else None),
        ("from", criteria.occurred_from.isoformat() if criteria.occurred_from else None),
        ("to", criteria.occurred_to.isoformat() if criteria.occurred_to else None),
    ):
        if value is not None:
            details[name] = str(value)
    return details
