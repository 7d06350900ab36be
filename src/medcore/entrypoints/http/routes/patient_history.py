"""A patient's allergies, conditions and medications (measurements: ``patient_measurements``).

Entries are never deleted: ``POST .../{entry_id}/end`` ends one with a status (resolved,
inactive, stopped, entered in error) and the version history keeps every state.
"""

from __future__ import annotations

from uuid import UUID

from litestar import Response, Router, get, post
from litestar.params import FromPath, JSONBody

from medcore.application.patients.add_allergy import AddAllergy, AddAllergyCommand
from medcore.application.patients.add_condition import AddCondition, AddConditionCommand
from medcore.application.patients.add_medication import AddMedication, AddMedicationCommand
from medcore.application.patients.end_history_entry import EndHistoryEntry
from medcore.application.patients.get_history_entry import GetHistoryEntry
from medcore.application.patients.list_history_entries import ListHistoryEntries
from medcore.application.shared.actor import Actor
from medcore.domain.patients.history import Allergy, Condition, EntryKind, EntryStatus, Medication
from medcore.entrypoints.http.etag import etag
from medcore.entrypoints.http.listing import page_info
from medcore.entrypoints.http.problems import unwrap
from medcore.entrypoints.http.routes.common import SECURED, Inject, documented
from medcore.entrypoints.http.routes.history_common import (
    CREATED_HEADERS,
    END,
    ETAG_HEADER,
    LIST,
    READ,
    Req,
    created,
    end_command,
    list_entries,
    narrow,
)
from medcore.entrypoints.http.schemas.patients import (
    AllergyIn,
    AllergyList,
    AllergyOut,
    ConditionIn,
    ConditionList,
    ConditionOut,
    EndAllergyRequest,
    EndConditionRequest,
    EndMedicationRequest,
    MedicationIn,
    MedicationList,
    MedicationOut,
    allergy_out,
    condition_out,
    medication_out,
)

# --- allergies --------------------------------------------------------------------------


@post(
    "/{patient_id:uuid}/allergies",
    summary="Record an allergy",
    description="`code` is an ATC code: a substance (`J01CA04`) or a drug class (`J01C`, the penicillins), which "
    "prescription checks read. Needs `medical_history:write`.",
    security=SECURED,
    responses=documented(404),
    response_headers=CREATED_HEADERS,
)
async def add_allergy(
    patient_id: FromPath[UUID], data: JSONBody[AllergyIn], actor: Inject[Actor], add_allergy: Inject[AddAllergy]
) -> Response[AllergyOut]:
    command = AddAllergyCommand(
        patient_id=patient_id, substance=data.substance, code=data.code, reaction=data.reaction, severity=data.severity
    )
    allergy = unwrap(await add_allergy.execute(actor, command))
    return created(patient_id, EntryKind.ALLERGY, allergy, allergy_out(allergy))


@get(
    "/{patient_id:uuid}/allergies",
    summary="List allergies",
    description=LIST,
    security=SECURED,
    responses=documented(404),
)
async def list_allergies(
    patient_id: FromPath[UUID], request: Req, actor: Inject[Actor], list_history_entries: Inject[ListHistoryEntries]
) -> AllergyList:
    page = await list_entries(request, actor, list_history_entries, patient_id, EntryKind.ALLERGY)
    return AllergyList(items=[allergy_out(narrow(e, Allergy)) for e in page.items], page=page_info(page))


@get(
    "/{patient_id:uuid}/allergies/{entry_id:uuid}",
    summary="Get an allergy",
    description=READ,
    security=SECURED,
    responses=documented(404),
    response_headers=ETAG_HEADER,
)
async def get_allergy(
    patient_id: FromPath[UUID],
    entry_id: FromPath[UUID],
    actor: Inject[Actor],
    get_history_entry: Inject[GetHistoryEntry],
) -> Response[AllergyOut]:
    entry = narrow(unwrap(await get_history_entry.execute(actor, patient_id, EntryKind.ALLERGY, entry_id)), Allergy)
    return Response(allergy_out(entry), headers={"ETag": etag(entry.version)})


@post(
    "/{patient_id:uuid}/allergies/{entry_id:uuid}/end",
    status_code=200,
    summary="End an allergy",
    description="`resolved`, or `entered_in_error`. " + END,
    security=SECURED,
    responses=documented(404, 409, 412),
    response_headers=ETAG_HEADER,
)
async def end_allergy(
    patient_id: FromPath[UUID],
    entry_id: FromPath[UUID],
    data: JSONBody[EndAllergyRequest],
    request: Req,
    actor: Inject[Actor],
    end_history_entry: Inject[EndHistoryEntry],
) -> Response[AllergyOut]:
    command = end_command(request, patient_id, EntryKind.ALLERGY, entry_id, data.status, data.reason)
    entry = narrow(unwrap(await end_history_entry.execute(actor, command)), Allergy)
    return Response(allergy_out(entry), headers={"ETag": etag(entry.version)})


# --- conditions -------------------------------------------------------------------------


@post(
    "/{patient_id:uuid}/conditions",
    summary="Record a condition",
    description="`code` is ICD-10 (`I10`, `E11.9`); a past condition may be recorded as `resolved` or `inactive`; "
    "`onset` lies between the birth date and today. Needs `medical_history:write`.",
    security=SECURED,
    responses=documented(404),
    response_headers=CREATED_HEADERS,
)
async def add_condition(
    patient_id: FromPath[UUID], data: JSONBody[ConditionIn], actor: Inject[Actor], add_condition: Inject[AddCondition]
) -> Response[ConditionOut]:
    command = AddConditionCommand(
        patient_id=patient_id, code=data.code, text=data.text, onset=data.onset, status=EntryStatus(data.status)
    )
    condition = unwrap(await add_condition.execute(actor, command))
    return created(patient_id, EntryKind.CONDITION, condition, condition_out(condition))


@get(
    "/{patient_id:uuid}/conditions",
    summary="List conditions",
    description=LIST,
    security=SECURED,
    responses=documented(404),
)
async def list_conditions(
    patient_id: FromPath[UUID], request: Req, actor: Inject[Actor], list_history_entries: Inject[ListHistoryEntries]
) -> ConditionList:
    page = await list_entries(request, actor, list_history_entries, patient_id, EntryKind.CONDITION)
    return ConditionList(items=[condition_out(narrow(e, Condition)) for e in page.items], page=page_info(page))


@get(
    "/{patient_id:uuid}/conditions/{entry_id:uuid}",
    summary="Get a condition",
    description=READ,
    security=SECURED,
    responses=documented(404),
    response_headers=ETAG_HEADER,
)
async def get_condition(
    patient_id: FromPath[UUID],
    entry_id: FromPath[UUID],
    actor: Inject[Actor],
    get_history_entry: Inject[GetHistoryEntry],
) -> Response[ConditionOut]:
    result = await get_history_entry.execute(actor, patient_id, EntryKind.CONDITION, entry_id)
    entry = narrow(unwrap(result), Condition)
    return Response(condition_out(entry), headers={"ETag": etag(entry.version)})


@post(
    "/{patient_id:uuid}/conditions/{entry_id:uuid}/end",
    status_code=200,
    summary="End a condition",
    description="`resolved`, `inactive`, or `entered_in_error`. " + END,
    security=SECURED,
    responses=documented(404, 409, 412),
    response_headers=ETAG_HEADER,
)
async def end_condition(
    patient_id: FromPath[UUID],
    entry_id: FromPath[UUID],
    data: JSONBody[EndConditionRequest],
    request: Req,
    actor: Inject[Actor],
    end_history_entry: Inject[EndHistoryEntry],
) -> Response[ConditionOut]:
    command = end_command(request, patient_id, EntryKind.CONDITION, entry_id, data.status, data.reason)
    entry = narrow(unwrap(await end_history_entry.execute(actor, command)), Condition)
    return Response(condition_out(entry), headers={"ETag": etag(entry.version)})


# --- medications ------------------------------------------------------------------------


@post(
    "/{patient_id:uuid}/medications",
    summary="Record a medication",
    description="A medication taken now: the ATC code of its substance (`C09AA05`), a `name`, or both; `dose` "
    "is free text; `since` lies between the birth date and today. Needs `medical_history:write`.",
    security=SECURED,
    responses=documented(404),
    response_headers=CREATED_HEADERS,
)
async def add_medication(
    patient_id: FromPath[UUID],
    data: JSONBody[MedicationIn],
    actor: Inject[Actor],
    add_medication: Inject[AddMedication],
) -> Response[MedicationOut]:
    command = AddMedicationCommand(
        patient_id=patient_id, code=data.code, name=data.name, dose=data.dose, since=data.since
    )
    medication = unwrap(await add_medication.execute(actor, command))
    return created(patient_id, EntryKind.MEDICATION, medication, medication_out(medication))


@get(
    "/{patient_id:uuid}/medications",
    summary="List medications",
    description=LIST,
    security=SECURED,
    responses=documented(404),
)
async def list_medications(
    patient_id: FromPath[UUID], request: Req, actor: Inject[Actor], list_history_entries: Inject[ListHistoryEntries]
) -> MedicationList:
    page = await list_entries(request, actor, list_history_entries, patient_id, EntryKind.MEDICATION)
    return MedicationList(items=[medication_out(narrow(e, Medication)) for e in page.items], page=page_info(page))


@get(
    "/{patient_id:uuid}/medications/{entry_id:uuid}",
    summary="Get a medication",
    description=READ,
    security=SECURED,
    responses=documented(404),
    response_headers=ETAG_HEADER,
)
async def get_medication(
    patient_id: FromPath[UUID],
    entry_id: FromPath[UUID],
    actor: Inject[Actor],
    get_history_entry: Inject[GetHistoryEntry],
) -> Response[MedicationOut]:
    result = await get_history_entry.execute(actor, patient_id, EntryKind.MEDICATION, entry_id)
    entry = narrow(unwrap(result), Medication)
    return Response(medication_out(entry), headers={"ETag": etag(entry.version)})


@post(
    "/{patient_id:uuid}/medications/{entry_id:uuid}/end",
    status_code=200,
    summary="Stop a medication",
    description="`stopped`, or `entered_in_error`. " + END,
    security=SECURED,
    responses=documented(404, 409, 412),
    response_headers=ETAG_HEADER,
)
async def end_medication(
    patient_id: FromPath[UUID],
    entry_id: FromPath[UUID],
    data: JSONBody[EndMedicationRequest],
    request: Req,
    actor: Inject[Actor],
    end_history_entry: Inject[EndHistoryEntry],
) -> Response[MedicationOut]:
    command = end_command(request, patient_id, EntryKind.MEDICATION, entry_id, data.status, data.reason)
    entry = narrow(unwrap(await end_history_entry.execute(actor, command)), Medication)
    return Response(medication_out(entry), headers={"ETag": etag(entry.version)})


router = Router(
    path="/api/v1/patients",
    tags=["medical history"],
    route_handlers=[
        add_allergy,
        list_allergies,
        get_allergy,
        end_allergy,
        add_condition,
        list_conditions,
        get_condition,
        end_condition,
        add_medication,
        list_medications,
        get_medication,
        end_medication,
    ],
)
