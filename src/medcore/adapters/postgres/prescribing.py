"""Postgres repositories of prescriptions and prescription templates (tables in
``prescribing_tables``)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from returns.result import Failure, Result, Success
from sqlalchemy import Date, DateTime, RowMapping, and_, cast, func, literal, select, type_coerce

from medcore.adapters.postgres.base import Repository
from medcore.adapters.postgres.listing import keyset_page
from medcore.adapters.postgres.practitioner_tables import practitioners
from medcore.adapters.postgres.prescribing_tables import (
    prescription_acknowledgements,
    prescription_items,
    prescription_templates,
    prescriptions,
)
from medcore.domain.prescribing.prescription import (
    Acknowledgement,
    Frequency,
    FrequencyKind,
    Prescription,
    PrescriptionItem,
    PrescriptionStatus,
)
from medcore.domain.prescribing.template import PrescriptionTemplate
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page, SortKey

# --- items ------------------------------------------------------------------------------


def item_to_json(item: PrescriptionItem) -> dict[str, Any]:
    return {
        "medication_code": item.medication_code,
        "dose_amount": item.dose_amount,
        "dose_unit": item.dose_unit,
        "route": item.route,
        "frequency_kind": item.frequency.kind.value,
        "frequency_value": item.frequency.value,
        "duration_days": item.duration_days,
        "quantity": item.quantity,
        "refills": item.refills,
        "instructions": item.instructions,
    }


def item_from_json(data: RowMapping | dict[str, Any]) -> PrescriptionItem:
    return PrescriptionItem(
        medication_code=data["medication_code"],
        dose_amount=float(data["dose_amount"]),
        dose_unit=data["dose_unit"],
        route=data["route"],
        frequency=Frequency(FrequencyKind(data["frequency_kind"]), float(data["frequency_value"])),
        duration_days=int(data["duration_days"]),
        quantity=int(data["quantity"]),
        refills=int(data["refills"]),
        instructions=data["instructions"],
    )


# --- prescriptions ----------------------------------------------------------------------

# Sorting by signature date: drafts (not signed yet) take their creation date.
_SIGNED_ORDER = type_coerce(
    func.coalesce(prescriptions.c.signed_at, prescriptions.c.created_at), DateTime(timezone=True)
).label("signed_order")


def _values(prescription: Prescription) -> dict[str, Any]:
    return {
        "consultation_id": prescription.consultation_id,
        "status": prescription.status.value,
        "notes": prescription.notes,
        "signed_at": prescription.signed_at,
        "signed_by": prescription.signed_by,
        "valid_until": prescription.valid_until,
        "verification_hash": prescription.verification_hash,
        "formulary_version": prescription.formulary_version,
        "cancelled_at": prescription.cancelled_at,
        "cancellation_reason": prescription.cancellation_reason,
        "dispensed_at": prescription.dispensed_at,
        "updated_at": prescription.updated_at,
    }


def _prescription(
    row: RowMapping, items: Sequence[PrescriptionItem], acknowledgements: Sequence[Acknowledgement]
) -> Prescription:
    return Prescription(
        id=row["id"],
        organization_id=row["organization_id"],
        patient_id=row["patient_id"],
        prescriber_id=row["prescriber_id"],
        consultation_id=row["consultation_id"],
        items=list(items),
        status=PrescriptionStatus(row["status"]),
        notes=row["notes"],
        acknowledgements=list(acknowledgements),
        signed_at=row["signed_at"],
        signed_by=row["signed_by"],
        valid_until=row["valid_until"],
        verification_hash=row["verification_hash"],
        formulary_version=row["formulary_version"],
        renewed_from_id=row["renewed_from_id"],
        cancelled_at=row["cancelled_at"],
        cancellation_reason=row["cancellation_reason"],
        dispensed_at=row["dispensed_at"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


Children = tuple[tuple[PrescriptionItem, ...], tuple[Acknowledgement, ...]]


class PgPrescriptions(Repository):
    def __init__(self, connection: Any) -> None:
        super().__init__(connection)
        # Items and acknowledgements as last read or written in this transaction: a save
        # rewrites them only when they changed (a status change leaves them alone).
        self._children: dict[UUID, Children] = {}

    async def add(self, prescription: Prescription) -> None:
        await self._execute(
            prescriptions.insert().values(
                id=prescription.id,
                organization_id=prescription.organization_id,
                patient_id=prescription.patient_id,
                prescriber_id=prescription.prescriber_id,
                renewed_from_id=prescription.renewed_from_id,
                created_by=prescription.created_by,
                created_at=prescription.created_at,
                version=prescription.version,
                **_values(prescription),
            )
        )
        await self._write_children(prescription)

    async def get(self, organization_id: UUID, prescription_id: UUID, *, lock: bool = False) -> Prescription | None:
        statement = select(prescriptions).where(
            prescriptions.c.organization_id == organization_id, prescriptions.c.id == prescription_id
        )
        if lock:
            statement = statement.with_for_update()
        row = (await self._execute(statement)).mappings().first()
        if row is None:
            return None
        return (await self._build([row]))[0]

    async def save(self, prescription: Prescription) -> bool:
        saved = await self._update_versioned(
            prescriptions, prescription.id, prescription.organization_id, prescription.version, _values(prescription)
        )
        if saved:
            prescription.version += 1
            await self._write_children(prescription)
        return saved

    async def list_for_patient(
        self, organization_id: UUID, patient_id: UUID, query: ListQuery, *, signed_only: bool = False
    ) -> Result[Page[Prescription], DomainError]:
        c = prescriptions.c
        base = select(prescriptions, _SIGNED_ORDER).where(
            c.organization_id == organization_id, c.patient_id == patient_id
        )
        if signed_only:
            base = base.where(c.signed_at.is_not(None))
        if "status" in query.filters:
            base = base.where(c.status == str(query.filters["status"]))
        if "prescriber_id" in query.filters:
            base = base.where(c.prescriber_id == query.filters["prescriber_id"])
        listed = await keyset_page(
            self._connection,
            base,
            query,
            {"created_at": c.created_at, "signed_at": _SIGNED_ORDER},
            c.id,
            lambda row: row,
            default_sort=SortKey("created_at", descending=True),
        )
        if isinstance(listed, Failure):
            return listed
        page = listed.unwrap()
        built = await self._build(page.items)
        return Success(Page(items=built, limit=page.limit, next_cursor=page.next_cursor, total=page.total))

    async def by_verification_digest(self, code_digest: str) -> Prescription | None:
        statement = select(prescriptions).where(prescriptions.c.verification_hash == code_digest)
        row = (await self._execute(statement)).mappings().first()
        return (await self._build([row]))[0] if row is not None else None

    @staticmethod
    def _due(now: datetime) -> Any:
        local_today = cast(func.timezone(practitioners.c.time_zone, literal(now, DateTime(timezone=True))), Date)
        return and_(
            prescriptions.c.status == PrescriptionStatus.SIGNED.value,
            # No time zone is more than a day ahead of UTC: a bound the partial index serves.
            prescriptions.c.valid_until < (now + timedelta(days=1)).date(),
            prescriptions.c.valid_until < local_today,
        )

    async def count_due_for_expiry(self, now: datetime) -> int:
        statement = (
            select(func.count())
            .select_from(prescriptions.join(practitioners, practitioners.c.id == prescriptions.c.prescriber_id))
            .where(self._due(now))
        )
        return int((await self._execute(statement)).scalar_one())

    async def claim_due_for_expiry(self, now: datetime, limit: int) -> list[Prescription]:
        statement = (
            select(prescriptions)
            .select_from(prescriptions.join(practitioners, practitioners.c.id == prescriptions.c.prescriber_id))
            .where(self._due(now))
            .order_by(prescriptions.c.valid_until, prescriptions.c.id)
            .limit(limit)
            .with_for_update(of=prescriptions, skip_locked=True)
        )
        rows = (await self._execute(statement)).mappings().all()
        return await self._build(rows)

    async def _build(self, rows: Sequence[RowMapping]) -> list[Prescription]:
        ids = [row["id"] for row in rows]
        children = await self._load_children(ids)
        return [_prescription(row, *children.get(row["id"], ((), ()))) for row in rows]

    async def _load_children(self, ids: Iterable[UUID]) -> dict[UUID, Children]:
        wanted = list(ids)
        if not wanted:
            return {}
        items: dict[UUID, list[PrescriptionItem]] = {i: [] for i in wanted}
        acknowledgements: dict[UUID, list[Acknowledgement]] = {i: [] for i in wanted}
        item_rows = await self._execute(
            select(prescription_items)
            .where(prescription_items.c.prescription_id.in_(wanted))
            .order_by(prescription_items.c.prescription_id, prescription_items.c.position)
        )
        for row in item_rows.mappings():
            items[row["prescription_id"]].append(item_from_json(row))
        ack_rows = await self._execute(
            select(prescription_acknowledgements)
            .where(prescription_acknowledgements.c.prescription_id.in_(wanted))
            .order_by(prescription_acknowledgements.c.prescription_id, prescription_acknowledgements.c.position)
        )
        for row in ack_rows.mappings():
            acknowledgements[row["prescription_id"]].append(
                Acknowledgement(
                    row["code"], row["item_index"], row["reason"], row["acknowledged_by"], row["acknowledged_at"]
                )
            )
        loaded = {i: (tuple(items[i]), tuple(acknowledgements[i])) for i in wanted}
        self._children.update(loaded)
        return loaded

    async def _write_children(self, prescription: Prescription) -> None:
        current: Children = (tuple(prescription.items), tuple(prescription.acknowledgements))
        known = self._children.get(prescription.id)
        if known == current:
            return
        if known is None or known[0] != current[0]:
            await self._execute(
                prescription_items.delete().where(prescription_items.c.prescription_id == prescription.id)
            )
            if prescription.items:
                await self._execute(
                    prescription_items.insert(),
                    [
                        {
                            "prescription_id": prescription.id,
                            "position": position,
                            "organization_id": prescription.organization_id,
                            **item_to_json(item),
                        }
                        for position, item in enumerate(prescription.items)
                    ],
                )
        if known is None or known[1] != current[1]:
            await self._execute(
                prescription_acknowledgements.delete().where(
                    prescription_acknowledgements.c.prescription_id == prescription.id
                )
            )
            if prescription.acknowledgements:
                await self._execute(
                    prescription_acknowledgements.insert(),
                    [
                        {
                            "prescription_id": prescription.id,
                            "position": position,
                            "organization_id": prescription.organization_id,
                            "code": ack.code,
                            "item_index": ack.item_index,
                            "reason": ack.reason,
                            "acknowledged_by": ack.by,
                            "acknowledged_at": ack.at,
                        }
                        for position, ack in enumerate(prescription.acknowledgements)
                    ],
                )
        self._children[prescription.id] = current


# --- templates --------------------------------------------------------------------------


def _template(row: RowMapping) -> PrescriptionTemplate:
    return PrescriptionTemplate(
        id=row["id"],
        organization_id=row["organization_id"],
        practitioner_id=row["practitioner_id"],
        name=row["name"],
        notes=row["notes"],
        items=[item_from_json(item) for item in row["items"]],
        created_by=row["created_by"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


class PgPrescriptionTemplates(Repository):
    async def add(self, template: PrescriptionTemplate) -> None:
        await self._execute(
            prescription_templates.insert().values(
                id=template.id,
                organization_id=template.organization_id,
                practitioner_id=template.practitioner_id,
                name=template.name,
                notes=template.notes,
                items=[item_to_json(item) for item in template.items],
                created_by=template.created_by,
                created_at=template.created_at,
                updated_at=template.updated_at,
                version=template.version,
            )
        )

    async def get(self, organization_id: UUID, template_id: UUID) -> PrescriptionTemplate | None:
        statement = select(prescription_templates).where(
            prescription_templates.c.organization_id == organization_id, prescription_templates.c.id == template_id
        )
        row = (await self._execute(statement)).mappings().first()
        return _template(row) if row is not None else None

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[PrescriptionTemplate], DomainError]:
        c = prescription_templates.c
        base = select(prescription_templates).where(c.organization_id == organization_id)
        if "practitioner_id" in query.filters:
            base = base.where(c.practitioner_id == query.filters["practitioner_id"])
        return await keyset_page(
            self._connection,
            base,
            query,
            {"name": c.name, "created_at": c.created_at},
            c.id,
            _template,
            default_sort=SortKey("name"),
        )

    async def delete(self, organization_id: UUID, template_id: UUID) -> bool:
        result = await self._execute(
            prescription_templates.delete().where(
                prescription_templates.c.organization_id == organization_id, prescription_templates.c.id == template_id
            )
        )
        return result.rowcount == 1
