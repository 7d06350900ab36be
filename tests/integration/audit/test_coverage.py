"""Every operation of the API that touches patient data leaves its audit event, naming the
patient, in the same transaction as what it did.

The operations are read from the OpenAPI schema: those of the patient-data tags, and any
whose path names a patient. Each must have a scripted, successful request below, or sit
in EXCLUDED with the reason it touches no patient's data; an operation added later with
neither fails the first test, so the coverage cannot silently erode."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from litestar import Litestar

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.conftest import ControlledClock
from tests.integration.helpers import Client, audit_events, bearer, token_for
from tests.integration.prescribing.support import DOCTOR as PRESCRIBER
from tests.integration.prescribing.support import amoxicillin
from tests.integration.scheduling.support import WEEKDAY_HOURS, Clinic, open_clinic, paris

PATIENT_TAGS = frozenset(
    {
        "patients",
        "medical history",
        "appointments",
        "consultations",
        "health metrics and reminders",
        "prescriptions",
        "audit",
    }
)

EXCLUDED: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/appointments/stats"): "counts of appointments by practitioner, status or day: no patient named",
    ("GET", "/api/v1/availability"): "free slots of practitioners: no patient data",
    ("GET", "/api/v1/practitioners/{practitioner_id}/availability"): "free slots of one practitioner",
    ("POST", "/api/v1/practitioners/{practitioner_id}/calendar-feed"): "issues a practitioner's feed token "
    "(audited as calendar_feed.create); reading the feed is covered",
    ("DELETE", "/api/v1/practitioners/{practitioner_id}/calendar-feed"): "revokes a practitioner's feed token",
    ("GET", "/api/v1/consultation-templates"): "templates hold section names and default texts, no patient",
    ("POST", "/api/v1/consultation-templates"): "a template, no patient",
    ("GET", "/api/v1/consultation-templates/{template_id}"): "a template, no patient",
    ("PATCH", "/api/v1/consultation-templates/{template_id}"): "a template, no patient",
    ("GET", "/api/v1/prescription-templates"): "templates of items, no patient",
    ("POST", "/api/v1/prescription-templates"): "a template of items, no patient",
    ("GET", "/api/v1/prescription-templates/{template_id}"): "a template of items, no patient",
    ("DELETE", "/api/v1/prescription-templates/{template_id}"): "a template of items, no patient",
}


def patient_operations(app: Litestar) -> set[tuple[str, str]]:
    schema = app.openapi_schema.to_schema()
    found = set()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            if PATIENT_TAGS & set(operation.get("tags", [])) or "patient" in path:
                found.add((method.upper(), path))
    return found


HISTORY: dict[str, dict[str, Any]] = {
    "allergies": {"substance": "Peanuts", "reaction": "hives", "severity": "moderate"},
    "conditions": {"code": "I10", "text": "Essential hypertension"},
    "medications": {"code": "C09AA05", "name": "Ramipril", "dose": "5 mg once daily"},
    "measurements": {"kind": "weight", "value": 80, "unit": "kg", "measured_at": "2027-03-14T09:00:00Z"},
}


@dataclass
class World:
    """A clinic with a prescribing doctor linked to an account, a nurse, an auditor, a
    patient record (Jean) and a patient account with its own record (Paul)."""

    client: Client
    clinic: Clinic
    doctor: str  # tokens
    nurse: str
    auditor: str
    prescriber: dict[str, Any]
    made: dict[str, Any] = field(default_factory=dict)  # things scripted requests created

    @property
    def jean(self) -> str:
        return str(self.clinic.patient["id"])

    @property
    def paul(self) -> str:
        return str(self.clinic.own_record["id"])

    async def call(self, method: str, path: str, token: str | None = None, body: Any = None, **params: Any) -> Any:
        headers = bearer(token) if token else {}
        if method in ("POST", "PATCH", "PUT"):
            return await self.client.request(
                method, path, json=body if body is not None else {}, headers=headers, params=params
            )
        return await self.client.request(method, path, headers=headers, params=params)

    async def ok(self, method: str, path: str, token: str | None = None, body: Any = None, **params: Any) -> Any:
        response = await self.call(method, path, token, body, **params)
        assert 200 <= response.status_code < 300, (method, path, response.status_code, response.text)
        return response.json() if response.headers.get("content-type", "").endswith("json") else response

    async def history_entry(self, kind: str) -> str:
        created = await self.ok("POST", f"/api/v1/patients/{self.jean}/{kind}", self.nurse, HISTORY[kind])
        return str(created["id"])

    async def appointment(self, hour: int, day: int = 16, token: str | None = None, **fields: Any) -> str:
        body = {
            "practitioner_id": self.prescriber["id"],
            "patient_id": self.jean,
            "starts_at": paris(2027, 3, day, hour).isoformat(),
            "duration_minutes": 30,
            **fields,
        }
        created = await self.ok(
            "POST", "/api/v1/appointments", token or self.clinic.owner, {k: v for k, v in body.items() if v is not None}
        )
        return str(created["id"])

    async def draft_consultation(self) -> str:
        created = await self.ok(
            "POST", "/api/v1/consultations", self.doctor, {"patient_id": self.jean, "reason": "Cough"}
        )
        return str(created["id"])

    async def signed_consultation(self) -> str:
        consultation = await self.draft_consultation()
        await self.ok("POST", f"/api/v1/consultations/{consultation}/sign", self.doctor)
        return consultation

    async def draft_prescription(self) -> str:
        body = {"patient_id": self.jean, "prescriber_id": self.prescriber["id"], "items": [amoxicillin()]}
        created = await self.ok("POST", "/api/v1/prescriptions", self.doctor, body)
        return str(created["id"])

    async def signed_prescription(self) -> str:
        prescription = await self.draft_prescription()
        await self.ok("POST", f"/api/v1/prescriptions/{prescription}/sign", self.doctor, {"acknowledgements": []})
        return prescription

    async def reminder(self) -> str:
        body = {"text": "Take your tablets", "times": ["08:00"], "starts_on": "2027-03-16"}
        created = await self.ok("POST", f"/api/v1/patients/{self.jean}/health-reminders", self.nurse, body)
        return str(created["id"])


async def open_world(client: Client, container: Container, clock: ControlledClock) -> World:
    clinic = await open_clinic(client, container, clock)
    doctor, doctor_user = await token_for(client, clinic.tenant, "practitioner")
    prescriber = await clinic.add_practitioner(
        **{**PRESCRIBER, "given_name": "Hélène", "family_name": "Roux"},
        working_hours=WEEKDAY_HOURS,
        user_id=doctor_user["id"],
    )
    nurse, _ = await token_for(client, clinic.tenant, "nurse")
    auditor, _ = await token_for(client, clinic.tenant, "auditor")
    return World(client, clinic, doctor, nurse, auditor, prescriber)


# One script per operation: it prepares what the request needs (those requests leave
# events of their own, not counted), and answers the request to measure, unsent, with the
# patient whose id its event must carry.
Request = Callable[[], Awaitable[Any]]
Script = Callable[[World], Awaitable[tuple[Request, str]]]
NEW_RECORD = "the record the request creates"
SCRIPTS: dict[tuple[str, str], Script] = {}


def script(method: str, path: str) -> Callable[[Script], Script]:
    def register(function: Script) -> Script:
        SCRIPTS[(method, path)] = function
        return function

    return register


# --- patients -----------------------------------------------------------------------------

P = "/api/v1/patients"


@script("GET", P)
async def _list_patients(w: World) -> tuple[Request, str]:
    return (lambda: w.call("GET", P, w.clinic.owner, q="Dupont")), w.jean


@script("POST", P)
async def _create_patient(w: World) -> tuple[Request, str]:
    body = {"given_name": "Lou", "family_name": "Roy", "birth_date": "2001-02-03"}
    return (lambda: w.call("POST", P, w.clinic.owner, body)), NEW_RECORD


@script("GET", f"{P}/me")
async def _own_record(w: World) -> tuple[Request, str]:
    return (lambda: w.call("GET", f"{P}/me", w.clinic.patient_token)), w.paul


@script("GET", f"{P}/{{patient_id}}")
async def _get_patient(w: World) -> tuple[Request, str]:
    return (lambda: w.call("GET", f"{P}/{w.jean}", w.nurse)), w.jean


@script("PATCH", f"{P}/{{patient_id}}")
async def _update_patient(w: World) -> tuple[Request, str]:
    return (lambda: w.call("PATCH", f"{P}/{w.jean}", w.clinic.owner, {"phone": "+33 6 98 76 54 32"})), w.jean


@script("DELETE", f"{P}/{{patient_id}}")
async def _delete_patient(w: World) -> tuple[Request, str]:
    doomed = await w.ok(
        "POST", P, w.clinic.owner, {"given_name": "Zoé", "family_name": "Blanc", "birth_date": "1999-09-09"}
    )
    return (lambda: w.call("DELETE", f"{P}/{doomed['id']}", w.clinic.owner)), str(doomed["id"])


@script("GET", f"{P}/{{patient_id}}/history")
async def _record_history(w: World) -> tuple[Request, str]:
    return (lambda: w.call("GET", f"{P}/{w.jean}/history", w.clinic.owner)), w.jean


def _history_scripts(kind: str) -> None:
    base = f"{P}/{{patient_id}}/{kind}"

    @script("GET", base)
    async def _list(w: World) -> tuple[Request, str]:
        await w.history_entry(kind)
        return (lambda: w.call("GET", f"{P}/{w.jean}/{kind}", w.nurse)), w.jean

    @script("POST", base)
    async def _add(w: World) -> tuple[Request, str]:
        return (lambda: w.call("POST", f"{P}/{w.jean}/{kind}", w.nurse, HISTORY[kind])), w.jean

    @script("GET", f"{base}/{{entry_id}}")
    async def _get(w: World) -> tuple[Request, str]:
        entry = await w.history_entry(kind)
        return (lambda: w.call("GET", f"{P}/{w.jean}/{kind}/{entry}", w.nurse)), w.jean

    @script("POST", f"{base}/{{entry_id}}/end")
    async def _end(w: World) -> tuple[Request, str]:
        entry = await w.history_entry(kind)
        body = {
            "allergies": {"status": "resolved"},
            "conditions": {"status": "inactive"},
            "medications": {"status": "stopped"},
        }.get(kind, {})
        return (lambda: w.call("POST", f"{P}/{w.jean}/{kind}/{entry}/end", w.nurse, body)), w.jean


for _kind in ("allergies", "conditions", "medications", "measurements"):
    _history_scripts(_kind)


# --- appointments, the waitlist, calendars --------------------------------------------------

A = "/api/v1/appointments"


@script("GET", A)
async def _list_appointments(w: World) -> tuple[Request, str]:
    await w.appointment(9)
    return (lambda: w.call("GET", A, w.clinic.reception, patient_id=w.jean)), w.jean


@script("POST", A)
async def _book(w: World) -> tuple[Request, str]:
    body = {
        "practitioner_id": w.prescriber["id"],
        "patient_id": w.jean,
        "starts_at": paris(2027, 3, 17, 9).isoformat(),
        "duration_minutes": 30,
    }
    return (lambda: w.call("POST", A, w.clinic.reception, body)), w.jean


@script("GET", f"{A}/{{appointment_id}}")
async def _get_appointment(w: World) -> tuple[Request, str]:
    appointment = await w.appointment(10)
    return (lambda: w.call("GET", f"{A}/{appointment}", w.clinic.reception)), w.jean


@script("GET", f"{A}/{{appointment_id}}/ics")
async def _appointment_ics(w: World) -> tuple[Request, str]:
    appointment = await w.appointment(11)
    return (lambda: w.call("GET", f"{A}/{appointment}/ics", w.clinic.reception)), w.jean


def _transition_script(action: str, before: tuple[str, ...], hour: int, day: int) -> None:
    @script("POST", f"{A}/{{appointment_id}}/{action}")
    async def _transition(w: World) -> tuple[Request, str]:
        requested = await w.appointment(hour, day, w.clinic.patient_token, patient_id=None)  # Paul's own request
        for step in before:
            await w.ok("POST", f"{A}/{requested}/{step}", w.clinic.reception)
        body: dict[str, Any] = {"reason": "patient_request"} if action == "cancel" else {}
        if action == "reschedule":
            body = {"starts_at": paris(2027, 3, 19, 15).isoformat()}
        return (lambda: w.call("POST", f"{A}/{requested}/{action}", w.clinic.reception, body)), w.paul


for _action, _before, _hour, _day in (
    ("confirm", (), 9, 18),
    ("check-in", ("confirm",), 10, 18),
    ("start", ("confirm", "check-in"), 11, 18),
    ("complete", ("confirm", "check-in", "start"), 12, 18),
    ("no-show", ("confirm",), 14, 18),
    ("cancel", (), 15, 18),
    ("reschedule", ("confirm",), 16, 18),
):
    _transition_script(_action, _before, _hour, _day)


W_ = "/api/v1/waitlist"
_WAIT = {
    "window_start": paris(2027, 3, 22, 9).isoformat(),
    "window_end": paris(2027, 3, 26, 18).isoformat(),
    "specialty": "general_practice",
}


@script("POST", W_)
async def _join_waitlist(w: World) -> tuple[Request, str]:
    return (lambda: w.call("POST", W_, w.clinic.reception, {**_WAIT, "patient_id": w.jean})), w.jean


@script("GET", W_)
async def _list_waitlist(w: World) -> tuple[Request, str]:
    await w.ok("POST", W_, w.clinic.reception, {**_WAIT, "patient_id": w.jean, "note": "any morning"})
    return (lambda: w.call("GET", W_, w.clinic.reception)), w.jean


@script("DELETE", f"{W_}/{{entry_id}}")
async def _leave_waitlist(w: World) -> tuple[Request, str]:
    entry = await w.ok("POST", W_, w.clinic.reception, {**_WAIT, "patient_id": w.jean})
    return (lambda: w.call("DELETE", f"{W_}/{entry['id']}", w.clinic.reception)), w.jean


@script("GET", "/api/v1/calendar/{feed}")
async def _read_feed(w: World) -> tuple[Request, str]:
    # A feed that shows only "busy" discloses no patient (and names none in the trail).
    await w.clinic.set_scheduling(calendar_detail="patient_initials")
    await w.appointment(17, 17)
    feed = await w.ok("POST", f"/api/v1/practitioners/{w.prescriber['id']}/calendar-feed", w.clinic.owner)
    return (lambda: w.call("GET", urlsplit(feed["url"]).path)), w.jean


# --- consultations ----------------------------------------------------------------------

C = "/api/v1/consultations"


@script("GET", C)
async def _list_consultations(w: World) -> tuple[Request, str]:
    await w.draft_consultation()
    return (lambda: w.call("GET", C, w.doctor, patient_id=w.jean)), w.jean


@script("POST", C)
async def _create_consultation(w: World) -> tuple[Request, str]:
    return (lambda: w.call("POST", C, w.doctor, {"patient_id": w.jean, "reason": "Fever"})), w.jean


@script("GET", f"{C}/{{consultation_id}}")
async def _get_consultation(w: World) -> tuple[Request, str]:
    consultation = await w.draft_consultation()
    return (lambda: w.call("GET", f"{C}/{consultation}", w.nurse)), w.jean


@script("PATCH", f"{C}/{{consultation_id}}")
async def _update_consultation(w: World) -> tuple[Request, str]:
    consultation = await w.draft_consultation()
    return (lambda: w.call("PATCH", f"{C}/{consultation}", w.doctor, {"reason": "Fever and cough"})), w.jean


@script("POST", f"{C}/{{consultation_id}}/sign")
async def _sign_consultation(w: World) -> tuple[Request, str]:
    consultation = await w.draft_consultation()
    return (lambda: w.call("POST", f"{C}/{consultation}/sign", w.doctor)), w.jean


@script("POST", f"{C}/{{consultation_id}}/addenda")
async def _addendum(w: World) -> tuple[Request, str]:
    consultation = await w.signed_consultation()
    return (
        lambda: w.call("POST", f"{C}/{consultation}/addenda", w.doctor, {"text": "Results came back normal."})
    ), w.jean


@script("POST", f"{A}/{{appointment_id}}/consultation")
async def _consultation_of_appointment(w: World) -> tuple[Request, str]:
    appointment = await w.appointment(9, 15)  # today, at 09:00 Paris
    return (lambda: w.call("POST", f"{A}/{appointment}/consultation", w.doctor)), w.jean


# --- health metrics and reminders -----------------------------------------------------


@script("GET", f"{P}/{{patient_id}}/metrics")
async def _metrics(w: World) -> tuple[Request, str]:
    await w.history_entry("measurements")
    return (lambda: w.call("GET", f"{P}/{w.jean}/metrics", w.nurse, kind="weight")), w.jean


@script("GET", f"{P}/{{patient_id}}/health-reminders")
async def _list_reminders(w: World) -> tuple[Request, str]:
    await w.reminder()
    return (lambda: w.call("GET", f"{P}/{w.jean}/health-reminders", w.nurse)), w.jean


@script("POST", f"{P}/{{patient_id}}/health-reminders")
async def _create_reminder(w: World) -> tuple[Request, str]:
    body = {"text": "Walk 30 minutes", "times": ["18:00"], "starts_on": "2027-03-16"}
    return (lambda: w.call("POST", f"{P}/{w.jean}/health-reminders", w.nurse, body)), w.jean


@script("GET", f"{P}/{{patient_id}}/health-reminders/{{reminder_id}}")
async def _get_reminder(w: World) -> tuple[Request, str]:
    reminder = await w.reminder()
    return (lambda: w.call("GET", f"{P}/{w.jean}/health-reminders/{reminder}", w.nurse)), w.jean


@script("DELETE", f"{P}/{{patient_id}}/health-reminders/{{reminder_id}}")
async def _cancel_reminder(w: World) -> tuple[Request, str]:
    reminder = await w.reminder()
    return (lambda: w.call("DELETE", f"{P}/{w.jean}/health-reminders/{reminder}", w.nurse)), w.jean


# --- prescriptions ----------------------------------------------------------------------

R = "/api/v1/prescriptions"


@script("POST", R)
async def _draft_prescription(w: World) -> tuple[Request, str]:
    body = {"patient_id": w.jean, "prescriber_id": w.prescriber["id"], "items": [amoxicillin()]}
    return (lambda: w.call("POST", R, w.doctor, body)), w.jean


@script("GET", f"{R}/{{prescription_id}}")
async def _get_prescription(w: World) -> tuple[Request, str]:
    prescription = await w.draft_prescription()
    return (lambda: w.call("GET", f"{R}/{prescription}", w.nurse)), w.jean


@script("PATCH", f"{R}/{{prescription_id}}")
async def _update_prescription(w: World) -> tuple[Request, str]:
    prescription = await w.draft_prescription()
    return (lambda: w.call("PATCH", f"{R}/{prescription}", w.doctor, {"notes": "Take with food."})), w.jean


@script("POST", f"{R}/{{prescription_id}}/validate")
async def _validate_prescription(w: World) -> tuple[Request, str]:
    prescription = await w.draft_prescription()
    return (lambda: w.call("POST", f"{R}/{prescription}/validate", w.nurse)), w.jean


@script("POST", f"{R}/{{prescription_id}}/sign")
async def _sign_prescription(w: World) -> tuple[Request, str]:
    prescription = await w.draft_prescription()
    return (lambda: w.call("POST", f"{R}/{prescription}/sign", w.doctor, {"acknowledgements": []})), w.jean


@script("POST", f"{R}/{{prescription_id}}/cancel")
async def _cancel_prescription(w: World) -> tuple[Request, str]:
    prescription = await w.draft_prescription()
    return (lambda: w.call("POST", f"{R}/{prescription}/cancel", w.doctor, {"reason": "Wrong patient weight"})), w.jean


@script("POST", f"{R}/{{prescription_id}}/renew")
async def _renew_prescription(w: World) -> tuple[Request, str]:
    prescription = await w.signed_prescription()
    return (lambda: w.call("POST", f"{R}/{prescription}/renew", w.doctor)), w.jean


@script("POST", f"{R}/{{prescription_id}}/dispense")
async def _dispense(w: World) -> tuple[Request, str]:
    prescription = await w.signed_prescription()
    return (lambda: w.call("POST", f"{R}/{prescription}/dispense", w.clinic.owner, {})), w.jean


@script("GET", f"{R}/{{prescription_id}}/pdf")
async def _print(w: World) -> tuple[Request, str]:
    prescription = await w.signed_prescription()
    return (lambda: w.call("GET", f"{R}/{prescription}/pdf", w.doctor)), w.jean


@script("GET", f"{R}/verify/{{code}}")
async def _verify_printed(w: World) -> tuple[Request, str]:
    import re

    from pypdf import PdfReader

    prescription = await w.signed_prescription()
    pdf = await w.call("GET", f"{R}/{prescription}/pdf", w.doctor)
    import io

    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    [code] = set(re.findall(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b", text))
    return (lambda: w.call("GET", f"{R}/verify/{code}")), w.jean  # a pharmacist: no account


@script("GET", f"{P}/{{patient_id}}/prescriptions")
async def _patient_prescriptions(w: World) -> tuple[Request, str]:
    await w.draft_prescription()
    return (lambda: w.call("GET", f"{P}/{w.jean}/prescriptions", w.nurse)), w.jean


@script("POST", "/api/v1/prescription-templates/{template_id}/prescribe")
async def _prescribe_from_template(w: World) -> tuple[Request, str]:
    template = await w.ok(
        "POST",
        "/api/v1/prescription-templates",
        w.doctor,
        {"name": "Otitis", "items": [amoxicillin()], "practitioner_id": w.prescriber["id"]},
    )
    return (
        lambda: w.call(
            "POST", f"/api/v1/prescription-templates/{template['id']}/prescribe", w.doctor, {"patient_id": w.jean}
        )
    ), w.jean


# --- GDPR ------------------------------------------------------------------------------


@script("POST", f"{P}/{{patient_id}}/export")
async def _export_patient(w: World) -> tuple[Request, str]:
    return (lambda: w.call("POST", f"{P}/{w.jean}/export", w.doctor)), w.jean


@script("GET", f"{P}/{{patient_id}}/exports/{{export_id}}")
async def _get_export(w: World) -> tuple[Request, str]:
    export = await w.ok("POST", f"{P}/{w.jean}/export", w.doctor)
    return (lambda: w.call("GET", f"{P}/{w.jean}/exports/{export['id']}", w.doctor)), w.jean


@script("GET", f"{P}/{{patient_id}}/exports/{{export_id}}/download")
async def _download_export(w: World) -> tuple[Request, str]:
    export = await w.ok("POST", f"{P}/{w.jean}/export", w.doctor)
    return (lambda: w.call("GET", f"{P}/{w.jean}/exports/{export['id']}/download", w.doctor)), w.jean


@script("POST", f"{P}/{{patient_id}}/erasure")
async def _erasure(w: World) -> tuple[Request, str]:
    # A dry run: the scripts after this one still need Jean's record as it is.
    return (lambda: w.call("POST", f"{P}/{w.jean}/erasure", w.clinic.owner, {"dry_run": True})), w.jean


# --- the audit trail itself --------------------------------------------------------------


@script("GET", "/api/v1/audit-events")
async def _list_audit(w: World) -> tuple[Request, str]:
    return (lambda: w.call("GET", "/api/v1/audit-events", w.auditor, patient_id=w.jean)), w.jean


@script("GET", "/api/v1/audit-events/export")
async def _export_audit(w: World) -> tuple[Request, str]:
    return (lambda: w.call("GET", "/api/v1/audit-events/export", w.auditor, patient_id=w.jean)), w.jean


@script("GET", f"{P}/{{patient_id}}/access-log")
async def _access_log(w: World) -> tuple[Request, str]:
    return (lambda: w.call("GET", f"{P}/{w.paul}/access-log", w.clinic.patient_token)), w.paul


# ---------------------------------------------------------------------------------------


def test_every_patient_data_operation_is_scripted_or_excluded_for_a_reason(app: Litestar) -> None:
    operations = patient_operations(app)
    unaccounted = operations - SCRIPTS.keys() - EXCLUDED.keys()
    assert not unaccounted, f"patient-data operations with no audit check: {sorted(unaccounted)}"
    stale = (SCRIPTS.keys() | EXCLUDED.keys()) - operations
    assert not stale, f"scripted or excluded operations that no longer exist: {sorted(stale)}"
    assert not SCRIPTS.keys() & EXCLUDED.keys()
    assert all(reason.strip() for reason in EXCLUDED.values())


async def test_every_patient_data_operation_leaves_its_event_naming_the_patient(
    client: Client, container: Container, clock: ControlledClock, db: SavepointDatabase, app: Litestar
) -> None:
    world = await open_world(client, container, clock)
    organization_id = world.clinic.organization_id
    missing: list[str] = []
    for (method, path), run in sorted(SCRIPTS.items()):
        request, patient_id = await run(world)
        last = max((e["sequence"] for e in await audit_events(db, organization_id)), default=0)
        response = await request()
        status = response.status_code
        if not 200 <= status < 300:
            missing.append(f"{method} {path}: answered {status} {getattr(response, 'text', '')[:200]}")
            continue
        if patient_id == NEW_RECORD:
            patient_id = response.json()["id"]
        after = [e for e in await audit_events(db, organization_id) if e["sequence"] > last]
        naming = [e for e in after if str(e["patient_id"]) == patient_id and e["outcome"] == "success"]
        if not naming:
            missing.append(f"{method} {path}: no event names patient {patient_id}: {[e['action'] for e in after]}")
    assert not missing, "\n".join(missing)
