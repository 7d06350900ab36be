"""Prescription templates: a practitioner's usual prescriptions, and drafts started from them."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, delete, get, post
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath, JSONBody

from medcore.application.prescribing.create_prescription_template import (
    CreatePrescriptionTemplate,
    CreatePrescriptionTemplateCommand,
)
from medcore.application.prescribing.delete_prescription_template import DeletePrescriptionTemplate
from medcore.application.prescribing.get_prescription_template import GetPrescriptionTemplate
from medcore.application.prescribing.list_prescription_templates import ListPrescriptionTemplates
from medcore.application.prescribing.prescribe_from_template import (
    PrescribeFromTemplate,
    PrescribeFromTemplateCommand,
)
from medcore.application.prescribing.queries import TEMPLATE_LIST
from medcore.application.shared.actor import Actor
from medcore.domain.prescribing.formulary import Formulary
from medcore.entrypoints.http.etag import etag
from medcore.entrypoints.http.listing import page_info, parse_list_query
from medcore.entrypoints.http.params import uuid_value
from medcore.entrypoints.http.problems import unwrap
from medcore.entrypoints.http.routes.common import SECURED, Inject, documented
from medcore.entrypoints.http.schemas.prescribing import (
    CreateTemplateRequest,
    PrescribeFromTemplateRequest,
    PrescriptionOut,
    TemplateList,
    TemplateOut,
    inputs,
    prescription_out,
    template_out,
)

Req = Request[Any, Any, Any]


@post(
    "/",
    summary="Create a prescription template",
    description="Needs `prescriptions:write`. The template belongs to `practitioner_id` (by default your own "
    "practitioner); names are unique per practitioner, regardless of case (409). Items as in a prescription.",
    security=SECURED,
    responses=documented(404, 409),
    response_headers=[ResponseHeader(name="Location", description="The new template", documentation_only=True)],
)
async def create_template(
    data: JSONBody[CreateTemplateRequest],
    actor: Inject[Actor],
    create_prescription_template: Inject[CreatePrescriptionTemplate],
    formulary: Inject[Formulary],
) -> Response[TemplateOut]:
    template = unwrap(
        await create_prescription_template.execute(
            actor,
            CreatePrescriptionTemplateCommand(
                name=data.name, items=inputs(data.items), practitioner_id=data.practitioner_id, notes=data.notes
            ),
        )
    )
    return Response(
        template_out(template, formulary),
        status_code=201,
        headers={"Location": f"/api/v1/prescription-templates/{template.id}", "ETag": etag(template.version)},
    )


@get(
    "/",
    summary="List prescription templates",
    description="Needs `prescriptions:read`. Filter `practitioner_id`; sort by `name` (default) or `created_at`.",
    security=SECURED,
    responses=documented(),
)
async def list_templates(
    request: Req,
    actor: Inject[Actor],
    list_prescription_templates: Inject[ListPrescriptionTemplates],
    formulary: Inject[Formulary],
) -> TemplateList:
    query = parse_list_query(request, TEMPLATE_LIST, {"practitioner_id": uuid_value})
    page = unwrap(await list_prescription_templates.execute(actor, query))
    return TemplateList(items=[template_out(t, formulary) for t in page.items], page=page_info(page))


@get(
    "/{template_id:uuid}",
    summary="Get a prescription template",
    security=SECURED,
    responses=documented(404),
)
async def get_template(
    template_id: FromPath[UUID],
    actor: Inject[Actor],
    get_prescription_template: Inject[GetPrescriptionTemplate],
    formulary: Inject[Formulary],
) -> TemplateOut:
    return template_out(unwrap(await get_prescription_template.execute(actor, template_id)), formulary)


@delete(
    "/{template_id:uuid}",
    status_code=204,
    summary="Delete a prescription template",
    description="Needs `prescriptions:write`; a prescribing practitioner deletes only their own templates. "
    "Prescriptions started from it are unaffected.",
    security=SECURED,
    responses=documented(404),
)
async def delete_template(
    template_id: FromPath[UUID], actor: Inject[Actor], delete_prescription_template: Inject[DeletePrescriptionTemplate]
) -> None:
    unwrap(await delete_prescription_template.execute(actor, template_id))


@post(
    "/{template_id:uuid}/prescribe",
    summary="Draft a prescription from a template",
    description="A draft for `patient_id` with the template's items and notes, its practitioner as prescriber, "
    "and its findings against the patient's record.",
    security=SECURED,
    responses=documented(404),
    response_headers=[
        ResponseHeader(name="Location", description="The new prescription", documentation_only=True),
        ResponseHeader(name="ETag", description="The version, for If-Match", documentation_only=True),
    ],
)
async def prescribe_from_template(
    template_id: FromPath[UUID],
    data: JSONBody[PrescribeFromTemplateRequest],
    actor: Inject[Actor],
    prescribe_from_template: Inject[PrescribeFromTemplate],
    formulary: Inject[Formulary],
) -> Response[PrescriptionOut]:
    view = unwrap(
        await prescribe_from_template.execute(
            actor,
            PrescribeFromTemplateCommand(
                template_id=template_id,
                patient_id=data.patient_id,
                consultation_id=data.consultation_id,
                notes=data.notes,
            ),
        )
    )
    out = prescription_out(view.prescription, formulary, view.findings)
    return Response(
        out,
        status_code=201,
        headers={"Location": f"/api/v1/prescriptions/{out.id}", "ETag": etag(out.version)},
    )


router = Router(
    path="/api/v1/prescription-templates",
    tags=["prescriptions"],
    route_handlers=[create_template, list_templates, get_template, delete_template, prescribe_from_template],
)
