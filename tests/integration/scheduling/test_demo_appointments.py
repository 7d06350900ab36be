"""The demo organization: Jean Dupont has appointments with Dr Martin in the coming days."""

from __future__ import annotations

from datetime import UTC, datetime

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.conftest import ControlledClock
from tests.integration.helpers import Client, bearer, login
from tests.integration.scheduling.support import NOW, PARIS, pin, utc


async def test_jean_dupont_sees_his_coming_appointments_with_dr_martin(
    client: Client, container: Container, clock: ControlledClock, db: SavepointDatabase
) -> None:
    pin(clock, NOW)  # Monday 15 March 2027, 07:00 in Paris
    assert (await container.use_cases.seed_demo().execute()).unwrap().created
    assert not (await container.use_cases.seed_demo().execute()).unwrap().created  # books nothing more

    jean = await login(client, "demo", "jean.dupont@demo.medcore.dev", "silver-orchard-5167")
    mine = await client.get("/api/v1/appointments", headers=bearer(jean["access_token"]))
    doctor = await login(client, "demo", "dr.martin@demo.medcore.dev", "quiet-meadow-3856")
    practitioners = await client.get("/api/v1/practitioners", headers=bearer(doctor["access_token"]))

    items = mine.json()["items"]
    [martin] = [p for p in practitioners.json()["items"] if p["family_name"] == "Martin"]
    assert [utc(a["starts_at"]).astimezone(PARIS).strftime("%a %d %H:%M") for a in items] == [
        "Tue 16 10:00",
        "Thu 18 15:30",
        "Tue 23 09:30",
    ]
    assert [a["duration_minutes"] for a in items] == [15, 20, 40]  # the demo's appointment types
    assert {a["practitioner_id"] for a in items} == {martin["id"]}
    assert {a["status"] for a in items} == {"confirmed"}
    assert all(utc(a["starts_at"]) > datetime.now(UTC) + clock.offset for a in items)
    assert all(a["room_id"] is not None and a["appointment_type_id"] is not None for a in items)
