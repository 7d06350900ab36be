"""A patient's body measurements, by staff or by the patient at home."""

from __future__ import annotations

from uuid import UUID

from litestar import Response, Router, get, post
from litestar.params import FromPath, JSONBody

from medcore.application.patients.add_measurement import AddMeasurement, AddMeasurementCommand
from medcore.application.patients.end_history_entry import EndHistoryEntry
from medcore.application.patients.get_history_entry import GetHistoryEntry
from medcore.application.patients.list_history_entries import ListHistoryEntries
from medcore.application.shared.actor import Actor
from medcore.domain.patients.history import EntryKind, Measurement
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
    EndMeasurementRequest,
    MeasurementIn,
    MeasurementList,
    MeasurementOut,
    measurement_out,
)


@post(
    "/{patient_id:uuid}/measurements",
    summary="Record a measurement",
    description="Units by kind: weight `kg` `g` `lb`; height `cm` `m` `in`; blood pressure `mmHg`; heart rate "
    "`/min` `bpm`; respiratory rate `/min`; temperature `degC` `degF`; glucose `mmol/L` `mg/dL`; spo2 `%`; egfr "
    "`mL/min/1.73m2`. Implausible values are refused. Staff need `medical_history:write`; a patient records on "
    "their own record what is measured at home (not respiratory rate or eGFR).",
    security=SECURED,
    responses=documented(404),
    response_headers=CREATED_HEADERS,
)
async def add_measurement(
    patient_id: FromPath[UUID],
    data: JSONBody[MeasurementIn],
    actor: Inject[Actor],
    add_measurement: Inject[AddMeasurement],
) -> Response[MeasurementOut]:
    command = AddMeasurementCommand(
        patient_id=patient_id, kind=data.kind, value=data.value, unit=data.unit, measured_at=data.measured_at
    )
    measurement = unwrap(await add_measurement.execute(actor, command))
    return created(patient_id, EntryKind.MEASUREMENT, measurement, measurement_out(measurement))


@get(
    "/{patient_id:uuid}/measurements",
    summary="List measurements",
    description="Newest first by default (`sort=measured_at` for oldest first); filter `kind` (weight, height...). "
    + LIST,
    security=SECURED,
    responses=documented(404),
)
async def list_measurements(
    patient_id: FromPath[UUID], request: Req, actor: Inject[Actor], list_history_entries: Inject[ListHistoryEntries]
) -> MeasurementList:
    page = await list_entries(request, actor, list_history_entries, patient_id, EntryKind.MEASUREMENT)
    return MeasurementList(items=[measurement_out(narrow(e, Measurement)) for e in page.items], page=page_info(page))


@get(
    "/{patient_id:uuid}/measurements/{entry_id:uuid}",
    summary="Get a measurement",
    description=READ,
    security=SECURED,
    responses=documented(404),
    response_headers=ETAG_HEADER,
)
async def get_measurement(
    patient_id: FromPath[UUID],
    entry_id: FromPath[UUID],
    actor: Inject[Actor],
    get_history_entry: Inject[GetHistoryEntry],
) -> Response[MeasurementOut]:
    result = await get_history_entry.execute(actor, patient_id, EntryKind.MEASUREMENT, entry_id)
    entry = narrow(unwrap(result), Measurement)
    return Response(measurement_out(entry), headers={"ETag": etag(entry.version)})


@post(
    "/{patient_id:uuid}/measurements/{entry_id:uuid}/end",
    status_code=200,
    summary="Mark a measurement entered in error",
    description="A patient may do it for a measurement they recorded themselves. " + END,
    security=SECURED,
    responses=documented(404, 409, 412),
    response_headers=ETAG_HEADER,
)
async def end_measurement(
    patient_id: FromPath[UUID],
    entry_id: FromPath[UUID],
    request: Req,
    actor: Inject[Actor],
    end_history_entry: Inject[EndHistoryEntry],
    data: JSONBody[EndMeasurementRequest | None] = None,
) -> Response[MeasurementOut]:
    body = data or EndMeasurementRequest()
    command = end_command(request, patient_id, EntryKind.MEASUREMENT, entry_id, body.status, body.reason)
    entry = narrow(unwrap(await end_history_entry.execute(actor, command)), Measurement)
    return Response(measurement_out(entry), headers={"ETag": etag(entry.version)})


router = Router(
    path="/api/v1/patients",
    tags=["medical history"],
    route_handlers=[add_measurement, list_measurements, get_measurement, end_measurement],
)
