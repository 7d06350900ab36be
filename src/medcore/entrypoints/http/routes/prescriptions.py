"""Prescriptions: drafts checked against the patient's record, signing with acknowledged
warnings, cancellation, renewal, dispensing, the printed PDF and its public verification."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, get, patch, post
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath, JSONBody
from msgspec import UNSET

from medcore.application.prescribing.cancel_prescription import CancelPrescription, CancelPrescriptionCommand
from medcore.application.prescribing.create_prescription import CreatePrescription, CreatePrescriptionCommand
from medcore.application.prescribing.dispense_prescription import DispensePrescription, DispensePrescriptionCommand
from medcore.application.prescribing.get_prescription import GetPrescription
from medcore.application.prescribing.list_patient_prescriptions import ListPatientPrescriptions
from medcore.application.prescribing.print_prescription import PrintPrescription
from medcore.application.prescribing.queries import PATIENT_PRESCRIPTION_LIST
from medcore.application.prescribing.renew_prescription import RenewPrescription
from medcore.application.prescribing.sign_prescription import SignPrescription, SignPrescriptionCommand
from medcore.application.prescribing.update_prescription import UpdatePrescription, UpdatePrescriptionCommand
from medcore.application.prescribing.validate_prescription import ValidatePrescription
from medcore.application.prescribing.verify_prescription import VerifyPrescription
from medcore.application.shared.actor import Actor
from medcore.domain.prescribing.formulary import Formulary
from medcore.domain.prescribing.prescription import KEEP, PrescriptionStatus
from medcore.entrypoints.http.context import meta_of
from medcore.entrypoints.http.etag import etag, expected_version
from medcore.entrypoints.http.listing import one_of, page_info, parse_list_query
from medcore.entrypoints.http.params import uuid_value
from medcore.entrypoints.http.problems import ProblemError, unwrap
from medcore.entrypoints.http.routes.common import SECURED, Inject, documented, public
from medcore.entrypoints.http.schemas.prescribing import (
    CancelPrescriptionRequest,
    CreatePrescriptionRequest,
    DispensePrescriptionRequest,
    FindingsOut,
    PrescriptionList,
    PrescriptionOut,
    SignPrescriptionRequest,
    UpdatePrescriptionRequest,
    VerificationOut,
    findings_out,
    inputs,
    prescription_out,
    verification_out,
)

Req = Request[Any, Any, Any]
ETAG_HEADER = [ResponseHeader(name="ETag", description="The version, for If-Match", documentation_only=True)]
CREATED_HEADERS = [
    ResponseHeader(name="Location", description="The new prescription", documentation_only=True),
    *ETAG_HEADER,
]
PDF = "application/pdf"
_FILTERS = {"status": one_of(*(s.value for s in PrescriptionStatus)), "prescriber_id": uuid_value}


def _answer(out: PrescriptionOut, status: int = 200) -> Response[PrescriptionOut]:
    headers = {"ETag": etag(out.version)}
    if status == 201:
        headers["Location"] = f"/api/v1/prescriptions/{out.id}"
    return Response(out, status_code=status, headers=headers)


@post(
    "/",
    summary="Draft a prescription",
    description="Needs `prescriptions:write`. Each item gives exactly one of `frequency_per_day`, `interval_hours`, "
    "`as_needed_max_per_day`. The answer carries the draft's `findings` against the patient's record (allergies, "
    "interactions, dose limits, duplicate therapy, quantities, the prescriber, conditions): errors block signing, "
    "warnings need an acknowledgement with a reason.",
    security=SECURED,
    responses=documented(404),
    response_headers=CREATED_HEADERS,
)
async def create_prescription(
    data: JSONBody[CreatePrescriptionRequest],
    actor: Inject[Actor],
    create_prescription: Inject[CreatePrescription],
    formulary: Inject[Formulary],
) -> Response[PrescriptionOut]:
    view = unwrap(
        await create_prescription.execute(
            actor,
            CreatePrescriptionCommand(
                patient_id=data.patient_id,
                prescriber_id=data.prescriber_id,
                items=inputs(data.items),
                consultation_id=data.consultation_id,
                notes=data.notes,
            ),
        )
    )
    return _answer(prescription_out(view.prescription, formulary, view.findings), 201)


@get(
    "/{prescription_id:uuid}",
    summary="Get a prescription",
    description="Staff with `prescriptions:read` read any; a draft comes with its current findings. A patient reads "
    "their own prescriptions once signed.",
    security=SECURED,
    responses=documented(404),
    response_headers=ETAG_HEADER,
)
async def get_prescription(
    prescription_id: FromPath[UUID],
    actor: Inject[Actor],
    get_prescription: Inject[GetPrescription],
    formulary: Inject[Formulary],
) -> Response[PrescriptionOut]:
    view = unwrap(await get_prescription.execute(actor, prescription_id))
    return _answer(prescription_out(view.prescription, formulary, view.findings))


@patch(
    "/{prescription_id:uuid}",
    summary="Change a draft",
    description="Merge semantics; `items` replaces every item (and clears acknowledgements). A signed prescription "
    "never changes (409 `prescription.not_draft`): renew it. Send `If-Match` to refuse a change over another (412).",
    security=SECURED,
    responses=documented(404, 409, 412),
    response_headers=ETAG_HEADER,
)
async def update_prescription(
    prescription_id: FromPath[UUID],
    data: JSONBody[UpdatePrescriptionRequest],
    request: Req,
    actor: Inject[Actor],
    update_prescription: Inject[UpdatePrescription],
    formulary: Inject[Formulary],
) -> Response[PrescriptionOut]:
    command = UpdatePrescriptionCommand(
        prescription_id=prescription_id,
        items=KEEP if data.items is UNSET else inputs(data.items),
        notes=KEEP if data.notes is UNSET else data.notes,
        consultation_id=KEEP if data.consultation_id is UNSET else data.consultation_id,
        expected_version=expected_version(request),
    )
    view = unwrap(await update_prescription.execute(actor, command))
    return _answer(prescription_out(view.prescription, formulary, view.findings))


@post(
    "/{prescription_id:uuid}/validate",
    status_code=200,
    summary="Check a prescription",
    description="The findings of its items against the patient's record and the prescriber as they are now, "
    "errors first: `{code, severity, message, items}` with `items` the indexes concerned.",
    security=SECURED,
    responses=documented(404),
)
async def validate_prescription(
    prescription_id: FromPath[UUID], actor: Inject[Actor], validate_prescription: Inject[ValidatePrescription]
) -> FindingsOut:
    return findings_out(unwrap(await validate_prescription.execute(actor, prescription_id)))


@post(
    "/{prescription_id:uuid}/sign",
    status_code=200,
    summary="Sign a prescription",
    description="The prescriber's own account (with `prescriptions:sign`) signs. Any error, or any warning without "
    "an acknowledgement `{code, item_index, reason}` for each item it names, answers 409 "
    "`prescription.validation_failed` with the blocking `findings`. A signed prescription is valid 90 days and "
    "carries a verification code (printed on its PDF).",
    security=SECURED,
    responses=documented(404, 409, 412),
    response_headers=ETAG_HEADER,
)
async def sign_prescription(
    prescription_id: FromPath[UUID],
    data: JSONBody[SignPrescriptionRequest],
    request: Req,
    actor: Inject[Actor],
    sign_prescription: Inject[SignPrescription],
    formulary: Inject[Formulary],
) -> Response[PrescriptionOut]:
    command = SignPrescriptionCommand(
        prescription_id=prescription_id,
        acknowledgements=[a.to_input() for a in data.acknowledgements],
        expected_version=expected_version(request),
    )
    view = unwrap(await sign_prescription.execute(actor, command))
    return _answer(prescription_out(view.prescription, formulary))


@post(
    "/{prescription_id:uuid}/cancel",
    status_code=200,
    summary="Cancel a prescription",
    description="A draft with `prescriptions:write`; a signed prescription with `prescriptions:sign`. The reason is "
    "kept; dispensed, expired and cancelled prescriptions answer 409.",
    security=SECURED,
    responses=documented(404, 409, 412),
    response_headers=ETAG_HEADER,
)
async def cancel_prescription(
    prescription_id: FromPath[UUID],
    data: JSONBody[CancelPrescriptionRequest],
    request: Req,
    actor: Inject[Actor],
    cancel_prescription: Inject[CancelPrescription],
    formulary: Inject[Formulary],
) -> Response[PrescriptionOut]:
    command = CancelPrescriptionCommand(
        prescription_id=prescription_id, reason=data.reason, expected_version=expected_version(request)
    )
    return _answer(prescription_out(unwrap(await cancel_prescription.execute(actor, command)), formulary))


@post(
    "/{prescription_id:uuid}/renew",
    summary="Renew a prescription",
    description="A new draft with the items of a prescription that was signed, linked by `renewed_from_id`, with its "
    "current findings. Signing it replaces the original if that one is not dispensed yet.",
    security=SECURED,
    responses=documented(404, 409),
    response_headers=CREATED_HEADERS,
)
async def renew_prescription(
    prescription_id: FromPath[UUID],
    actor: Inject[Actor],
    renew_prescription: Inject[RenewPrescription],
    formulary: Inject[Formulary],
) -> Response[PrescriptionOut]:
    view = unwrap(await renew_prescription.execute(actor, prescription_id))
    return _answer(prescription_out(view.prescription, formulary, view.findings), 201)


@post(
    "/{prescription_id:uuid}/dispense",
    status_code=200,
    summary="Record a dispensing",
    description="Needs `prescriptions:dispense` (a pharmacy's API key). A signed prescription within its validity "
    "becomes `dispensed`, or `partially_dispensed` with `partial: true`; anything else answers 409.",
    security=SECURED,
    responses=documented(404, 409, 412),
    response_headers=ETAG_HEADER,
)
async def dispense_prescription(
    prescription_id: FromPath[UUID],
    data: JSONBody[DispensePrescriptionRequest],
    request: Req,
    actor: Inject[Actor],
    dispense_prescription: Inject[DispensePrescription],
    formulary: Inject[Formulary],
) -> Response[PrescriptionOut]:
    command = DispensePrescriptionCommand(
        prescription_id=prescription_id, partial=data.partial, expected_version=expected_version(request)
    )
    return _answer(prescription_out(unwrap(await dispense_prescription.execute(actor, command)), formulary))


@get(
    "/{prescription_id:uuid}/pdf",
    summary="The printable prescription (PDF)",
    description="A signed prescription on A4: organization, prescriber with licence, patient name and birth date, "
    "each item in plain language, date, validity, page numbers and the verification code with its address. "
    "Drafts and cancelled prescriptions answer 409.",
    media_type=PDF,
    security=SECURED,
    responses=documented(404, 409),
)
async def prescription_pdf(
    prescription_id: FromPath[UUID], actor: Inject[Actor], print_prescription: Inject[PrintPrescription]
) -> Response[bytes]:
    printed = unwrap(await print_prescription.execute(actor, prescription_id))
    return Response(
        printed.pdf,
        media_type=PDF,
        headers={
            "Content-Disposition": f'inline; filename="prescription-{prescription_id}.pdf"',
            "Cache-Control": "no-store",
        },
    )


@get(
    "/verify/{code:str}",
    summary="Verify a printed prescription",
    description="Public, for pharmacists, rate-limited like sign-in. The code as printed (any case, dashes optional). "
    "Answers whether the prescription is genuine and may be dispensed today, its dates, the prescriber, the "
    "patient's initials and birth year, and the items; unknown codes answer 404.",
    responses=public(404),
    opt={"rate_limit": "auth"},
)
async def verify_prescription(
    code: FromPath[str], request: Req, verify_prescription: Inject[VerifyPrescription]
) -> Response[VerificationOut]:
    if len(code) > 64:
        raise ProblemError(404, "prescription.unknown_code", "No prescription has this verification code.")
    verification = unwrap(await verify_prescription.execute(code, meta_of(request.scope)))
    return Response(verification_out(verification), headers={"Cache-Control": "no-store"})


router = Router(
    path="/api/v1/prescriptions",
    tags=["prescriptions"],
    route_handlers=[
        create_prescription,
        get_prescription,
        update_prescription,
        validate_prescription,
        sign_prescription,
        cancel_prescription,
        renew_prescription,
        dispense_prescription,
        prescription_pdf,
        verify_prescription,
    ],
)


@get(
    "/api/v1/patients/{patient_id:uuid}/prescriptions",
    summary="A patient's prescriptions",
    description="Staff with `prescriptions:read` see all of them, drafts included; a patient sees their own, once "
    "signed. Filters: `status`, `prescriber_id`; sort by `created_at` (default newest first) or `signed_at`.",
    security=SECURED,
    responses=documented(404),
    tags=["prescriptions"],
)
async def list_patient_prescriptions(
    patient_id: FromPath[UUID],
    request: Req,
    actor: Inject[Actor],
    list_patient_prescriptions: Inject[ListPatientPrescriptions],
    formulary: Inject[Formulary],
) -> PrescriptionList:
    query = parse_list_query(request, PATIENT_PRESCRIPTION_LIST, _FILTERS)
    page = unwrap(await list_patient_prescriptions.execute(actor, patient_id, query))
    return PrescriptionList(items=[prescription_out(p, formulary) for p in page.items], page=page_info(page))


patient_prescriptions_router = Router(path="/", route_handlers=[list_patient_prescriptions])
