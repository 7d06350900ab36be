"""The formulary: the medications a prescription may name."""

from __future__ import annotations

from typing import Any

from litestar import Request, Router, get
from litestar.params import FromPath

from medcore.application.prescribing.get_formulary_medication import GetFormularyMedication
from medcore.application.prescribing.queries import FORMULARY_LIST
from medcore.application.prescribing.search_formulary import SearchFormulary
from medcore.application.shared.actor import Actor
from medcore.entrypoints.http.listing import boolean, page_info, parse_list_query
from medcore.entrypoints.http.problems import ProblemError, unwrap
from medcore.entrypoints.http.routes.common import SECURED, Inject, documented
from medcore.entrypoints.http.schemas.prescribing import MedicationList, MedicationOut, medication_out

Req = Request[Any, Any, Any]


@get(
    "/",
    summary="Search the formulary",
    description="`q` matches the start of an ATC code (`J01C`: the penicillins) or part of a name or ingredient; "
    "best matches first. Filter `controlled` (true/false); sort by `name` or `code`. Needs `prescriptions:read` "
    "or `prescriptions:write`.",
    security=SECURED,
    responses=documented(),
)
async def search_formulary(
    request: Req, actor: Inject[Actor], search_formulary: Inject[SearchFormulary]
) -> MedicationList:
    page = unwrap(
        await search_formulary.execute(actor, parse_list_query(request, FORMULARY_LIST, {"controlled": boolean}))
    )
    return MedicationList(items=[medication_out(m) for m in page.items], page=page_info(page))


@get(
    "/{code:str}",
    summary="A medication of the formulary",
    description="By its ATC code (`J01CA04`): limits, forms, routes, controlled schedule, contraindications.",
    security=SECURED,
    responses=documented(404),
)
async def get_medication(
    code: FromPath[str], actor: Inject[Actor], get_formulary_medication: Inject[GetFormularyMedication]
) -> MedicationOut:
    if len(code) > 20:
        raise ProblemError(404, "medication.not_found", "No such medication.")
    return medication_out(unwrap(await get_formulary_medication.execute(actor, code)))


router = Router(path="/api/v1/formulary", tags=["formulary"], route_handlers=[search_formulary, get_medication])
