"""GDPR: a patient's data export (request, status, download) and erasure."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, get, post
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath, JSONBody

from medcore.application.gdpr.download_export import DownloadPatientExport
from medcore.application.gdpr.erase_patient import ErasePatient, ErasePatientCommand
from medcore.application.gdpr.get_export import GetPatientExport
from medcore.application.gdpr.request_export import RequestPatientExport
from medcore.application.shared.actor import Actor
from medcore.entrypoints.http.problems import unwrap
from medcore.entrypoints.http.routes.common import SECURED, Inject, documented
from medcore.entrypoints.http.schemas.gdpr import ErasureOut, ErasureRequest, ExportOut, erasure_out, export_out

Req = Request[Any, Any, Any]
ZIP = "application/zip"
_NO_STORE = {"Cache-Control": "no-store"}


@post(
    "/{patient_id:uuid}/export",
    summary="Export a patient's data (GDPR)",
    description="Builds an archive of every record about the patient: a JSON document per record type "
    "(demographics, versioned medical history, appointments, waitlist entries, consultations, measurements, "
    "prescriptions, reminders, the portal account and its sessions), a FHIR R4 Bundle (Patient, Encounter, "
    "Observation, MedicationRequest, AllergyIntolerance, Condition, MedicationStatement), the record's audit "
    "trail, a README and a manifest with the SHA-256 of every member. Generated at once; the archive can be "
    "downloaded for 7 days. The patient asks for their own record (any other answers 404); staff need "
    "`patients:export`. Audited.",
    security=SECURED,
    responses=documented(404),
    response_headers=[ResponseHeader(name="Location", description="The export", documentation_only=True)],
)
async def request_export(
    patient_id: FromPath[UUID], actor: Inject[Actor], request_patient_export: Inject[RequestPatientExport]
) -> Response[ExportOut]:
    export = unwrap(await request_patient_export.execute(actor, patient_id))
    return Response(
        export_out(export),
        status_code=201,
        headers={"Location": f"/api/v1/patients/{patient_id}/exports/{export.id}", **_NO_STORE},
    )


@get(
    "/{patient_id:uuid}/exports/{export_id:uuid}",
    summary="A patient data export's status",
    description="Status, size and SHA-256 of the archive, and when it expires. Audited.",
    security=SECURED,
    responses=documented(404),
)
async def get_export(
    patient_id: FromPath[UUID],
    export_id: FromPath[UUID],
    actor: Inject[Actor],
    get_patient_export: Inject[GetPatientExport],
) -> Response[ExportOut]:
    export = unwrap(await get_patient_export.execute(actor, patient_id, export_id))
    return Response(export_out(export), headers=_NO_STORE)


@get(
    "/{patient_id:uuid}/exports/{export_id:uuid}/download",
    summary="Download a patient data export (zip)",
    description="The archive, while the export has not expired (409 `gdpr_export.expired` after). The file name "
    "is the export's id. Every download is audited.",
    media_type=ZIP,
    security=SECURED,
    responses=documented(404, 409),
)
async def download_export(
    patient_id: FromPath[UUID],
    export_id: FromPath[UUID],
    actor: Inject[Actor],
    download_patient_export: Inject[DownloadPatientExport],
) -> Response[bytes]:
    downloaded = unwrap(await download_patient_export.execute(actor, patient_id, export_id))
    return Response(
        downloaded.data,
        media_type=ZIP,
        headers={
            "Content-Disposition": f'attachment; filename="medcore-export-{export_id}.zip"',
            **_NO_STORE,
        },
    )


@post(
    "/{patient_id:uuid}/erasure",
    summary="Erase a patient's data (GDPR)",
    description="Erases or anonymises what no retention rule or legal hold requires keeping, and answers per "
    "record class what was erased, anonymised and kept, with the legal basis of what was kept (preset, class, "
    "period and the day it ends, or the hold). Contact details, the portal account and its sessions, pending "
    "reminders, waitlist entries and future appointments always go unless a hold covers the patient; the audit "
    "trail stays (ids and codes only) and still verifies. `dry_run: true` answers the same without changing "
    "anything. Needs `patients:erase` (owners, admins). Audited.",
    security=SECURED,
    responses=documented(404),
    status_code=200,
)
async def erase_patient(
    patient_id: FromPath[UUID],
    actor: Inject[Actor],
    erase_patient: Inject[ErasePatient],
    data: JSONBody[ErasureRequest | None] = None,
) -> Response[ErasureOut]:
    command = ErasePatientCommand(patient_id=patient_id, dry_run=bool(data and data.dry_run))
    return Response(erasure_out(unwrap(await erase_patient.execute(actor, command))), headers=_NO_STORE)


router = Router(
    path="/api/v1/patients",
    tags=["gdpr"],
    route_handlers=[request_export, get_export, download_export, erase_patient],
)
