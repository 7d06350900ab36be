"""Consultations: drafts, signature, addenda; and opening one for an appointment."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, get, patch, post
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath, JSONBody
from msgspec import UNSET, UnsetType

from medcore.application.clinical.add_addendum import AddAddendum, AddAddendumCommand
from medcore.application.clinical.create_consultation import CreateConsultation, CreateConsultationCommand
from medcore.application.clinical.get_consultation import GetConsultation
from medcore.application.clinical.list_consultations import ListConsultations
from medcore.application.clinical.queries import CONSULTATION_LIST
from medcore.application.clinical.sign_consultation import SignConsultation, SignConsultationCommand
from medcore.application.clinical.update_consultation import UpdateConsultation, UpdateConsultationCommand
from medcore.application.shared.actor import Actor
from medcore.domain.clinical.consultation import Consultation, ConsultationChanges, ConsultationStatus
from medcore.domain.practitioners.changes import UNCHANGED
from medcore.entrypoints.http.etag import etag, expected_version
from medcore.entrypoints.http.listing import one_of, page_info, parse_list_query
from medcore.entrypoints.http.params import instant, uuid_value
from medcore.entrypoints.http.problems import unwrap
from medcore.entrypoints.http.routes.common import SECURED, Inject, documented
from medcore.entrypoints.http.schemas.clinical import (
    AddendumOut,
    AddendumRequest,
    ConsultationList,
    ConsultationOut,
    CreateConsultationRequest,
    OpenConsultationRequest,
    UpdateConsultationRequest,
    addendum_out,
    consultation_out,
    keep,
)

Req = Request[Any, Any, Any]
ETAG_HEADER = [ResponseHeader(name="ETag", description="The version, for If-Match", documentation_only=True)]
CREATED_HEADERS = [ResponseHeader(name="Location", description="The consultation", documentation_only=True)]
VITALS = (
    "`vitals` (each optional, in its unit): systolic_mmhg and diastolic_mmhg (together), pulse_per_min, "
    "respiratory_rate_per_min, temperature_c or temperature_f (converted to degC), weight_kg, height_cm, "
    "spo2_percent, measured_at (default: now); implausible values are refused."
)

_FILTERS = {
    "patient_id": uuid_value,
    "practitioner_id": uuid_value,
    "appointment_id": uuid_value,
    "status": one_of(*(s.value for s in ConsultationStatus)),
    "from": instant,
    "to": instant,
}


def _created(consultation: Consultation) -> Response[ConsultationOut]:
    return Response(
        consultation_out(consultation),
        status_code=201,
        headers={"Location": f"/api/v1/consultations/{consultation.id}", "ETag": etag(consultation.version)},
    )


def _answer(consultation: Consultation) -> Response[ConsultationOut]:
    return Response(consultation_out(consultation), headers={"ETag": etag(consultation.version)})


@post(
    "/",
    summary="Open a draft consultation",
    description=(
        "Needs `consultations:write`. Give `patient_id` (the practitioner, who will sign, defaults to the one linked "
        "to your account) or `appointment_id` (its patient and practitioner; one consultation per appointment, 409 "
        "`consultation.appointment_taken` otherwise). `template_id` pre-fills the template's sections; without it "
        "the sections are subjective, objective, assessment and plan. `notes` fill sections by key. "
        + VITALS
        + " `diagnoses`: ICD-10 codes with text; `prescription_ids`: the patient's prescriptions."
    ),
    security=SECURED,
    responses=documented(404, 409),
    response_headers=[*CREATED_HEADERS, *ETAG_HEADER],
)
async def create_consultation(
    data: JSONBody[CreateConsultationRequest], actor: Inject[Actor], create_consultation: Inject[CreateConsultation]
) -> Response[ConsultationOut]:
    command = CreateConsultationCommand(
        patient_id=data.patient_id,
        practitioner_id=data.practitioner_id,
        appointment_id=data.appointment_id,
        template_id=data.template_id,
        reason=data.reason,
        started_at=data.started_at,
        notes=data.notes,
        vitals=data.vitals.to_change() if data.vitals else None,
        diagnoses=tuple(d.to_input() for d in data.diagnoses),
        prescription_ids=tuple(data.prescription_ids),
    )
    return _created(unwrap(await create_consultation.execute(actor, command)))


@get(
    "/",
    summary="List consultations",
    description="Filters: patient_id, practitioner_id, appointment_id, status (draft, signed), from, to (on "
    "started_at); newest first unless `sort` (started_at, created_at). Needs `consultations:read`; a patient "
    "account lists its own signed consultations.",
    security=SECURED,
    responses=documented(),
)
async def list_consultations(
    request: Req, actor: Inject[Actor], list_consultations: Inject[ListConsultations]
) -> ConsultationList:
    query = parse_list_query(request, CONSULTATION_LIST, _FILTERS)
    page = unwrap(await list_consultations.execute(actor, query))
    return ConsultationList(items=[consultation_out(c) for c in page.items], page=page_info(page))


@get(
    "/{consultation_id:uuid}",
    summary="Get a consultation",
    description="With its addenda. Needs `consultations:read`; a patient reads their own signed consultations.",
    security=SECURED,
    responses=documented(404),
    response_headers=ETAG_HEADER,
)
async def get_consultation(
    consultation_id: FromPath[UUID], actor: Inject[Actor], get_consultation: Inject[GetConsultation]
) -> Response[ConsultationOut]:
    return _answer(unwrap(await get_consultation.execute(actor, consultation_id)))


@patch(
    "/{consultation_id:uuid}",
    summary="Change a draft consultation",
    description=(
        "Merge semantics: `notes` by section key, `vitals` by field (`null` clears one, `vitals: null` all), "
        "`diagnoses` and `prescription_ids` replaced whole. " + VITALS + " A signed consultation answers 409 "
        "`consultation.signed` (add an addendum instead). `If-Match` makes it conditional. Needs "
        "`consultations:write`."
    ),
    security=SECURED,
    responses=documented(404, 409, 412),
    response_headers=ETAG_HEADER,
)
async def update_consultation(
    consultation_id: FromPath[UUID],
    data: JSONBody[UpdateConsultationRequest],
    request: Req,
    actor: Inject[Actor],
    update_consultation: Inject[UpdateConsultation],
) -> Response[ConsultationOut]:
    vitals = data.vitals
    diagnoses = data.diagnoses
    prescription_ids = data.prescription_ids
    changes = ConsultationChanges(
        reason=keep(data.reason),
        started_at=keep(data.started_at),
        notes=keep(data.notes),
        vitals=UNCHANGED if isinstance(vitals, UnsetType) else (vitals.to_change() if vitals is not None else None),
        diagnoses=UNCHANGED if diagnoses is UNSET else tuple(d.to_input() for d in diagnoses or ()),
        prescription_ids=UNCHANGED if isinstance(prescription_ids, UnsetType) else tuple(prescription_ids),
    )
    command = UpdateConsultationCommand(
        consultation_id=consultation_id, changes=changes, expected_version=expected_version(request)
    )
    return _answer(unwrap(await update_consultation.execute(actor, command)))


@post(
    "/{consultation_id:uuid}/sign",
    status_code=200,
    summary="Sign a consultation",
    description=(
        "Needs `consultations:sign` and to be the author (the practitioner linked to your account) or an owner: 403 "
        "`consultation.not_author` otherwise. Every required section must hold text: 422 "
        "`consultation.required_sections_missing` names each empty one. The vitals enter the patient's medical "
        "history as measurements. A signed consultation never changes again (409 `consultation.signed`)."
    ),
    security=SECURED,
    responses=documented(404, 409, 412),
    response_headers=ETAG_HEADER,
)
async def sign_consultation(
    consultation_id: FromPath[UUID], request: Req, actor: Inject[Actor], sign_consultation: Inject[SignConsultation]
) -> Response[ConsultationOut]:
    command = SignConsultationCommand(consultation_id=consultation_id, expected_version=expected_version(request))
    return _answer(unwrap(await sign_consultation.execute(actor, command)))


@post(
    "/{consultation_id:uuid}/addenda",
    summary="Add an addendum to a signed consultation",
    description="A correction or later finding (1-5000 characters), appended with its author and time; the signed "
    "content stays as it was. A draft answers 409 `consultation.draft`. Needs `consultations:write`.",
    security=SECURED,
    responses=documented(404, 409),
    response_headers=CREATED_HEADERS,
)
async def add_addendum(
    consultation_id: FromPath[UUID],
    data: JSONBody[AddendumRequest],
    actor: Inject[Actor],
    add_addendum: Inject[AddAddendum],
) -> Response[AddendumOut]:
    addendum = unwrap(
        await add_addendum.execute(actor, AddAddendumCommand(consultation_id=consultation_id, text=data.text))
    )
    return Response(
        addendum_out(addendum), status_code=201, headers={"Location": f"/api/v1/consultations/{consultation_id}"}
    )


@post(
    "/{appointment_id:uuid}/consultation",
    summary="Open the consultation of an appointment",
    description="A draft consultation for the appointment's patient with its practitioner, started when the "
    "appointment did (typically once it is completed or in progress). One per appointment: 409 "
    "`consultation.appointment_taken` names the existing one; a cancelled or missed appointment answers 409 "
    "`consultation.appointment_not_held`. Optional `template_id` and `reason`. Needs `consultations:write`.",
    security=SECURED,
    responses=documented(404, 409),
    response_headers=[*CREATED_HEADERS, *ETAG_HEADER],
)
async def open_appointment_consultation(
    appointment_id: FromPath[UUID],
    actor: Inject[Actor],
    create_consultation: Inject[CreateConsultation],
    data: JSONBody[OpenConsultationRequest | None] = None,
) -> Response[ConsultationOut]:
    body = data or OpenConsultationRequest()
    command = CreateConsultationCommand(appointment_id=appointment_id, template_id=body.template_id, reason=body.reason)
    return _created(unwrap(await create_consultation.execute(actor, command)))


router = Router(
    path="/api/v1/consultations",
    tags=["consultations"],
    route_handlers=[
        create_consultation,
        list_consultations,
        get_consultation,
        update_consultation,
        sign_consultation,
        add_addendum,
    ],
)

appointment_consultation_router = Router(
    path="/api/v1/appointments", tags=["consultations"], route_handlers=[open_appointment_consultation]
)
