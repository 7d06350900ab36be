"""What goes into a patient's export: the dossier's records, the audit trail of the record,
and the FHIR view, as archive members."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from medcore.application.gdpr.archive import Member, json_member, record_members
from medcore.application.gdpr.fhir import fhir_bundle
from medcore.application.shared.unit_of_work import UnitOfWork
from medcore.domain.audit.entry import RecordedEvent
from medcore.domain.audit.ports import AuditFilter
from medcore.domain.gdpr.ports import JsonRecord
from medcore.domain.identity.permissions import Role

_BATCH = 1000

# Records a patient does not see until a clinician signs them (drafts are working notes).
_DRAFTS: dict[str, tuple[str, ...]] = {
    "consultations": ("consultation_addenda", "consultation_id"),
    "prescriptions": ("prescription_items", "prescription_acknowledgements", "prescription_id"),
}


def without_drafts(dossier: Mapping[str, Sequence[JsonRecord]]) -> dict[str, Sequence[JsonRecord]]:
    """The dossier as the patient's own export shows it: unsigned consultations and
    prescriptions (and their parts) left out, as in the patient portal."""
    shown = dict(dossier)
    for parent, (*children, key) in _DRAFTS.items():
        drafts = {r["id"] for r in dossier.get(parent, ()) if r.get("signed_at") is None}
        shown[parent] = [r for r in dossier.get(parent, ()) if r["id"] not in drafts]
        for child in children:
            shown[child] = [r for r in dossier.get(child, ()) if r.get(key) not in drafts]
    return shown


def _event(event: RecordedEvent, owner_user: UUID | None, *, with_addresses: bool) -> dict[str, Any]:
    other_patient = event.actor_role == Role.PATIENT.value and event.actor_id != owner_user
    document: dict[str, Any] = {
        "sequence": event.sequence,
        "occurred_at": event.occurred_at.isoformat().replace("+00:00", "Z"),
        "action": event.action,
        "outcome": event.outcome.value,
        "actor_type": event.actor_type.value,
        "actor_role": event.actor_role,
        "actor_id": None if other_patient else (str(event.actor_id) if event.actor_id else None),
        "resource_type": event.resource_type,
        "resource_id": str(event.resource_id) if event.resource_id else None,
        "purpose": event.purpose,
        "details": dict(event.details),
        "hash": event.hash,
    }
    if with_addresses:  # the patient's own addresses, never staff's
        document["ip"] = event.ip
        document["user_agent"] = event.user_agent
    return document


async def _events(uow: UnitOfWork, organization_id: UUID, criteria: AuditFilter) -> list[RecordedEvent]:
    events: list[RecordedEvent] = []
    after = 0
    while True:
        batch = await uow.audit_log.batch_after(organization_id, criteria, after, _BATCH)
        events.extend(batch)
        if len(batch) < _BATCH:
            return events
        after = batch[-1].sequence


async def export_members(
    uow: UnitOfWork,
    organization_id: UUID,
    patient_id: UUID,
    *,
    for_patient: bool,
    generated_at: datetime,
) -> list[Member]:
    dossier: Mapping[str, Sequence[JsonRecord]] = await uow.patient_dossier.collect(organization_id, patient_id)
    if for_patient:
        dossier = without_drafts(dossier)
    patient = dossier.get("patient", ())
    user_raw = patient[0].get("user_id") if patient else None
    owner_user = UUID(user_raw) if isinstance(user_raw, str) else None
    access = await _events(uow, organization_id, AuditFilter(patient_id=patient_id))
    activity = await _events(uow, organization_id, AuditFilter(actor_id=owner_user)) if owner_user is not None else []
    bundle = fhir_bundle(dossier, generated_at)
    return [
        *record_members(dossier),
        json_member("files/index.json", {"files": []}, 0),
        json_member("fhir/bundle.json", bundle, len(bundle["entry"])),
        json_member(
            "audit/access_log.json",
            {"events": [_event(e, owner_user, with_addresses=False) for e in access]},
            len(access),
        ),
        json_member(
            "audit/account_activity.json",
            {"events": [_event(e, owner_user, with_addresses=True) for e in activity]},
            len(activity),
        ),
    ]
