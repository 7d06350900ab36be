"""Consultation templates of the organization."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Request, Response, Router, get, patch, post
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath, JSONBody

from medcore.application.clinical.create_consultation_template import CreateConsultationTemplate
from medcore.application.clinical.get_consultation_template import GetConsultationTemplate
from medcore.application.clinical.list_consultation_templates import ListConsultationTemplates
from medcore.application.clinical.queries import TEMPLATE_LIST
from medcore.application.clinical.update_consultation_template import (
    UpdateConsultationTemplate,
    UpdateTemplateCommand,
)
from medcore.application.shared.actor import Actor
from medcore.entrypoints.http.etag import etag, expected_version
from medcore.entrypoints.http.listing import boolean, page_info, parse_list_query
from medcore.entrypoints.http.problems import unwrap
from medcore.entrypoints.http.routes.common import SECURED, Inject, documented
from medcore.entrypoints.http.schemas.clinical import (
    CreateTemplateRequest,
    TemplateList,
    TemplateOut,
    UpdateTemplateRequest,
    template_out,
)

Req = Request[Any, Any, Any]
ETAG_HEADER = [ResponseHeader(name="ETag", description="The version, for If-Match", documentation_only=True)]
SECTIONS = (
    "`sections` (1-30): each a `key` (lower-case letters, digits, underscores: subjective, family_history), a "
    "`title` (defaults to the key in words), a `default_text` and `required` (the section must hold text before a "
    "consultation is signed)."
)


@post(
    "/",
    summary="Create a consultation template",
    description="A name unique in the organization (409 `consultation_template.name_taken`). "
    + SECTIONS
    + " Needs `consultations:write`.",
    security=SECURED,
    responses=documented(409),
    response_headers=[
        ResponseHeader(name="Location", description="The template", documentation_only=True),
        *ETAG_HEADER,
    ],
)
async def create_template(
    data: JSONBody[CreateTemplateRequest],
    actor: Inject[Actor],
    create_consultation_template: Inject[CreateConsultationTemplate],
) -> Response[TemplateOut]:
    template = unwrap(await create_consultation_template.execute(actor, data.to_changes()))
    return Response(
        template_out(template),
        status_code=201,
        headers={"Location": f"/api/v1/consultation-templates/{template.id}", "ETag": etag(template.version)},
    )


@get(
    "/",
    summary="List consultation templates",
    description="Filter `active` (true, false); by name unless `sort` (name, created_at). Needs `consultations:read`.",
    security=SECURED,
    responses=documented(),
)
async def list_templates(
    request: Req, actor: Inject[Actor], list_consultation_templates: Inject[ListConsultationTemplates]
) -> TemplateList:
    query = parse_list_query(request, TEMPLATE_LIST, {"active": boolean})
    page = unwrap(await list_consultation_templates.execute(actor, query))
    return TemplateList(items=[template_out(t) for t in page.items], page=page_info(page))


@get(
    "/{template_id:uuid}",
    summary="Get a consultation template",
    description="Needs `consultations:read`.",
    security=SECURED,
    responses=documented(404),
    response_headers=ETAG_HEADER,
)
async def get_template(
    template_id: FromPath[UUID], actor: Inject[Actor], get_consultation_template: Inject[GetConsultationTemplate]
) -> Response[TemplateOut]:
    template = unwrap(await get_consultation_template.execute(actor, template_id))
    return Response(template_out(template), headers={"ETag": etag(template.version)})


@patch(
    "/{template_id:uuid}",
    summary="Change a consultation template",
    description="Merge semantics; `sections` are replaced whole. "
    + SECTIONS
    + " Consultations opened earlier keep their sections; `active: false` retires the template (it opens no new "
    "consultation). `If-Match` makes it conditional. Needs `consultations:write`.",
    security=SECURED,
    responses=documented(404, 409, 412),
    response_headers=ETAG_HEADER,
)
async def update_template(
    template_id: FromPath[UUID],
    data: JSONBody[UpdateTemplateRequest],
    request: Req,
    actor: Inject[Actor],
    update_consultation_template: Inject[UpdateConsultationTemplate],
) -> Response[TemplateOut]:
    command = UpdateTemplateCommand(
        template_id=template_id, changes=data.to_changes(), expected_version=expected_version(request)
    )
    template = unwrap(await update_consultation_template.execute(actor, command))
    return Response(template_out(template), headers={"ETag": etag(template.version)})


router = Router(
    path="/api/v1/consultation-templates",
    tags=["consultations"],
    route_handlers=[create_template, list_templates, get_template, update_template],
)
