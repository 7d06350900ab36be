"""Patient records: create, search, read, update, soft-delete, and their version history."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, delete, get, patch, post
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath, JSONBody

from medcore.application.patients.create_patient import CreatePatient, CreatePatientCommand
from medcore.application.patients.delete_patient import DeletePatient
from medcore.application.patients.get_own_patient import GetOwnPatient
from medcore.application.patients.get_patient import GetPatient
from medcore.application.patients.get_patient_history import GetPatientHistory
from medcore.application.patients.list_patients import ListPatients
from medcore.application.patients.queries import PATIENT_LIST, VERSION_LIST
from medcore.application.patients.update_patient import UpdatePatient, UpdatePatientCommand
from medcore.application.shared.actor import Actor
from medcore.domain.patients.values import Sex
from medcore.domain.patients.versions import VersionedResource
from medcore.entrypoints.http.etag import etag, expected_version
from medcore.entrypoints.http.listing import boolean, one_of, page_info, parse_list_query
from medcore.entrypoints.http.problems import unwrap
from medcore.entrypoints.http.routes.common import SECURED, Inject, documented
from medcore.entrypoints.http.schemas.patients import (
    CreatePatientRequest,
    PatientList,
    PatientOut,
    UpdatePatientRequest,
    VersionList,
    patient_out,
    version_out,
)

Req = Request[Any, Any, Any]
ETAG_HEADER = [ResponseHeader(name="ETag", description="The version, for If-Match", documentation_only=True)]


def iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError("Use a date such as 1980-05-17.") from None


def uuid_value(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise ValueError("Use an id (UUID).") from None


_FILTERS = {
    "sex": one_of(*(s.value for s in Sex)),
    "birth_date_from": iso_date,
    "birth_date_to": iso_date,
    "has_user": boolean,
    "user_id": uuid_value,
    "mrn": lambda value: value.strip().upper(),
}
_VERSION_FILTERS = {
    "resource_type": one_of(*(r.value for r in VersionedResource)),
    "resource_id": uuid_value,
}


@get(
    "/",
    summary="List and search patients",
    description="`q` searches given and family names, MRN, email and phone: each word matches the start of a "
    "word (`dup jea`, `MRN-0001`, `+3361234`), and a typo is forgiven (`Dupond` finds Dupont). Filters: `sex`, "
    "`birth_date_from`, `birth_date_to` (YYYY-MM-DD), `has_user` (true/false), `user_id`, `mrn`. Sort by "
    "`family_name` (default), `given_name`, `birth_date`, `created_at`, `mrn` (prefix `-` for descending). "
    "Needs `patients:read`; each patient listed is recorded in the audit trail.",
    security=SECURED,
    responses=documented(),
)
async def list_patients(request: Req, actor: Inject[Actor], list_patients: Inject[ListPatients]) -> PatientList:
    page = unwrap(await list_patients.execute(actor, parse_list_query(request, PATIENT_LIST, _FILTERS)))
    return PatientList(items=[patient_out(p) for p in page.items], page=page_info(page))


@post(
    "/",
    summary="Create a patient record",
    description="Without `mrn`, the organization's next medical record number is given (`MRN-000123`). "
    "`phone` needs its country code (`+33 6 12 34 56 78`); `user_id` links an account with the `patient` role, "
    "which then sees this record. Needs `patients:write`.",
    security=SECURED,
    responses=documented(409),
    response_headers=[
        ResponseHeader(name="Location", description="The new record", documentation_only=True),
        *ETAG_HEADER,
    ],
)
async def create_patient(
    data: JSONBody[CreatePatientRequest], actor: Inject[Actor], create_patient: Inject[CreatePatient]
) -> Response[PatientOut]:
    command = CreatePatientCommand(
        given_name=data.given_name,
        family_name=data.family_name,
        birth_date=data.birth_date,
        sex=data.sex,
        email=data.email,
        phone=data.phone,
        address=data.address.to_input() if data.address else None,
        preferred_language=data.preferred_language,
        preferred_channel=data.preferred_channel,
        time_zone=data.time_zone,
        mrn=data.mrn,
        user_id=data.user_id,
    )
    patient = unwrap(await create_patient.execute(actor, command))
    return Response(
        patient_out(patient),
        status_code=201,
        headers={"Location": f"/api/v1/patients/{patient.id}", "ETag": etag(patient.version)},
    )


@get(
    "/me",
    summary="My patient record",
    description="For a `patient` account: the record the practice linked to it (404 until one is linked).",
    security=SECURED,
    responses=documented(404),
    response_headers=ETAG_HEADER,
)
async def get_own_patient(actor: Inject[Actor], get_own_patient: Inject[GetOwnPatient]) -> Response[PatientOut]:
    patient = unwrap(await get_own_patient.execute(actor))
    return Response(patient_out(patient), headers={"ETag": etag(patient.version)})


@get(
    "/{patient_id:uuid}",
    summary="Get a patient record",
    description="Needs `patients:read`; a patient account reads its own record only.",
    security=SECURED,
    responses=documented(404),
    response_headers=ETAG_HEADER,
)
async def get_patient(
    patient_id: FromPath[UUID], actor: Inject[Actor], get_patient: Inject[GetPatient]
) -> Response[PatientOut]:
    patient = unwrap(await get_patient.execute(actor, patient_id))
    return Response(patient_out(patient), headers={"ETag": etag(patient.version)})


@patch(
    "/{patient_id:uuid}",
    summary="Update a patient record",
    description="Merge semantics: absent fields stay, `null` clears an optional field, `address` is replaced "
    "whole. Send `If-Match` with the ETag to refuse the change if the record changed meanwhile (412). Needs "
    "`patients:write`; a patient may change on their own record the fields the organization allows "
    "(`settings.patients.editable_fields`), any other is refused with 403.",
    security=SECURED,
    responses=documented(404, 409, 412),
    response_headers=ETAG_HEADER,
)
async def update_patient(
    patient_id: FromPath[UUID],
    data: JSONBody[UpdatePatientRequest],
    request: Req,
    actor: Inject[Actor],
    update_patient: Inject[UpdatePatient],
) -> Response[PatientOut]:
    command = UpdatePatientCommand(patient_id, data.to_input(), expected_version(request))
    patient = unwrap(await update_patient.execute(actor, command))
    return Response(patient_out(patient), headers={"ETag": etag(patient.version)})


@delete(
    "/{patient_id:uuid}",
    status_code=204,
    summary="Delete a patient record",
    description="A soft delete, audited: the record is no longer found, its history and MRN stay. "
    "`If-Match` makes it conditional. Needs `patients:write`.",
    security=SECURED,
    responses=documented(404, 412),
)
async def delete_patient(
    patient_id: FromPath[UUID], request: Req, actor: Inject[Actor], delete_patient: Inject[DeletePatient]
) -> None:
    unwrap(await delete_patient.execute(actor, patient_id, expected_version(request)))


@get(
    "/{patient_id:uuid}/history",
    summary="Version history of a patient record",
    description="Every change to the record and to its medical history, oldest first (`sort=-sequence` for "
    "newest first): the resource changed, the action, the fields changed, the state after the change "
    "(`snapshot`), who changed it and when. Filters: `resource_type` (patient, allergy, condition, medication, "
    "measurement), `resource_id`. Staff without `medical_history:read` (reception) see the demographics' "
    "versions only.",
    security=SECURED,
    responses=documented(404),
)
async def get_patient_history(
    patient_id: FromPath[UUID], request: Req, actor: Inject[Actor], get_patient_history: Inject[GetPatientHistory]
) -> VersionList:
    query = parse_list_query(request, VERSION_LIST, _VERSION_FILTERS)
    page = unwrap(await get_patient_history.execute(actor, patient_id, query))
    return VersionList(items=[version_out(v) for v in page.items], page=page_info(page))


router = Router(
    path="/api/v1/patients",
    tags=["patients"],
    route_handlers=[
        list_patients,
        create_patient,
        get_own_patient,
        get_patient,
        update_patient,
        delete_patient,
        get_patient_history,
    ],
)
