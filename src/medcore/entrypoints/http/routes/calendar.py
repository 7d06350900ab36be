"""Calendar feeds for calendar clients (Apple Calendar, Google Calendar, Outlook)."""

from __future__ import annotations

from uuid import UUID

from litestar import Response, Router, delete, get, post
from litestar.params import FromPath

from medcore.application.scheduling.calendar_feeds import CreateCalendarFeed, ReadCalendarFeed, RevokeCalendarFeed
from medcore.application.shared.actor import Actor
from medcore.domain.shared.ports import Clock
from medcore.entrypoints.http import ics
from medcore.entrypoints.http.problems import ProblemError, problem_responses, unwrap
from medcore.entrypoints.http.routes.common import SECURED, Inject, documented
from medcore.entrypoints.http.schemas.scheduling import CalendarFeedOut


@post(
    "/api/v1/practitioners/{practitioner_id:uuid}/calendar-feed",
    summary="Issue the practitioner's calendar feed URL",
    description="A secret URL to subscribe to in a calendar client. Issuing a new one revokes the previous URL. "
    "Practitioners manage their own feed; others need practitioners:write.",
    security=SECURED,
    responses=documented(404),
    tags=["appointments"],
    opt={"idempotency": "unsupported"},
)
async def create_feed(
    practitioner_id: FromPath[UUID],
    actor: Inject[Actor],
    create_calendar_feed: Inject[CreateCalendarFeed],
    public_url: Inject[str],
) -> Response[CalendarFeedOut]:
    issued = unwrap(await create_calendar_feed.execute(actor, practitioner_id))
    url = f"{public_url.rstrip('/')}/api/v1/calendar/{issued.token}.ics"
    return Response(
        CalendarFeedOut(url=url, practitioner_id=practitioner_id, created_at=issued.feed.created_at), status_code=201
    )


@delete(
    "/api/v1/practitioners/{practitioner_id:uuid}/calendar-feed",
    status_code=204,
    summary="Revoke the practitioner's calendar feed URL",
    security=SECURED,
    responses=documented(404),
    tags=["appointments"],
)
async def revoke_feed(
    practitioner_id: FromPath[UUID], actor: Inject[Actor], revoke_calendar_feed: Inject[RevokeCalendarFeed]
) -> None:
    unwrap(await revoke_calendar_feed.execute(actor, practitioner_id))


@get(
    "/api/v1/calendar/{feed:str}",
    summary="A practitioner's calendar feed (iCalendar)",
    description="`{token}.ics` from the feed URL. No clinical details; patient names only as far as the "
    "organization's `calendar_detail` setting allows.",
    media_type=ics.MEDIA_TYPE,
    responses=problem_responses(404, 429),
    tags=["appointments"],
)
async def read_feed(
    feed: FromPath[str], read_calendar_feed: Inject[ReadCalendarFeed], clock: Inject[Clock]
) -> Response[bytes]:
    if not feed.endswith(".ics") or len(feed) > 200:
        raise ProblemError(404, "calendar_feed.not_found", "No such calendar feed.")
    content = unwrap(await read_calendar_feed.execute(feed.removesuffix(".ics")))
    body = ics.feed_ics(content.appointments, content.practitioner, content.detail, content.patient_names, clock.now())
    return Response(body, media_type=ics.MEDIA_TYPE, headers={"Cache-Control": "private, max-age=300"})


router = Router(path="/", route_handlers=[create_feed, revoke_feed, read_feed])
