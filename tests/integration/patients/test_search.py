"""Searching, filtering, sorting and paging the patient list, against PostgreSQL's full-text
and trigram indexes; and the audit event of each patient a list shows."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import text

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.helpers import Client, audit_events
from tests.integration.patients.support import Clinic, open_clinic

PEOPLE = [
    {"given_name": "Jean", "family_name": "Dupont", "birth_date": "1968-04-12", "sex": "male",
     "email": "jean.dupont@example.test", "phone": "+33 6 12 34 56 78", "mrn": "A-1001"},
    {"given_name": "Éloïse", "family_name": "Lefèvre", "birth_date": "1990-02-01", "sex": "female",
     "email": "eloise@example.test", "phone": "+44 20 7946 0958", "mrn": "A-1002"},
    {"given_name": "Marie", "family_name": "Durand", "birth_date": "2001-11-30", "sex": "female",
     "email": "m.durand@clinic.test", "mrn": "B/2001"},
    {"given_name": "Paul", "family_name": "Martin", "birth_date": "1955-07-14", "sex": "male", "mrn": "C-7"},
]  # fmt: skip


async def seeded(client: Client, container: Container) -> tuple[Clinic, dict[str, str]]:
    clinic = await open_clinic(client, container)
    ids = {}
    for person in PEOPLE:
        ids[person["family_name"]] = (await clinic.patient(**{"email": None, "phone": None, **person}))["id"]
    return clinic, ids


async def found(clinic: Clinic, **params: Any) -> list[str]:
    response = await clinic.get("/api/v1/patients", **params)
    assert response.status_code == 200, response.text
    return [p["family_name"] for p in response.json()["items"]]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("dup", ["Dupont"]),  # the start of a family name
        ("JEAN dupo", ["Dupont"]),  # several words, any case
        ("eloise", ["Lefèvre"]),  # accents do not matter
        ("lefèvre", ["Lefèvre"]),
        ("a-1002", ["Lefèvre"]),  # the MRN as written
        ("1002", ["Lefèvre"]),  # its number
        ("B/2001", ["Durand"]),
        ("m.durand@clinic", ["Durand"]),  # the email
        ("clinic.test", ["Durand"]),
        ("+33 6 12 34", ["Dupont"]),  # the phone, international
        ("06 12 34 56 78", ["Dupont"]),  # the phone as written nationally
        ("020 7946", ["Lefèvre"]),
        ("Dupond", ["Dupont"]),  # a typo
        ("Martn", ["Martin"]),
        ("Lefevre Eloise", ["Lefèvre"]),
        ("zzz", []),
        ("%", []),  # query syntax is data, never operators
        ("dup:* | mar", []),
    ],
)
async def test_search_finds_by_name_mrn_email_and_phone_and_forgives_a_typo(
    client: Client, container: Container, q: str, expected: list[str]
) -> None:
    clinic, _ = await seeded(client, container)

    assert await found(clinic, q=q) == expected


async def test_names_with_apostrophes_and_hyphens_are_found_written_either_way(
    client: Client, container: Container
) -> None:
    clinic = await open_clinic(client, container)
    await clinic.patient(given_name="Jean-Pierre", family_name="O'Brien", email=None, phone=None)

    for q in ("obrien", "o'brien", "brien", "jean-pierre", "jeanpierre", "pierre", "O Brian"):
        assert await found(clinic, q=q) == ["O'Brien"], q


async def test_search_uses_the_indexes_not_a_scan(client: Client, container: Container, db: SavepointDatabase) -> None:
    await seeded(client, container)
    await db.connection.execute(text("SET LOCAL enable_seqscan = off"))

    plan = "\n".join(
        row[0]
        for row in await db.connection.execute(
            text(
                "EXPLAIN SELECT id FROM patients WHERE search_vector @@ to_tsquery('simple', 'dup:*') "
                "OR 'dupond' <% search_text"
            )
        )
    )

    assert "ix_patients_search_vector" in plan
    assert "ix_patients_search_text" in plan


async def test_filters_sorts_and_pages(client: Client, container: Container) -> None:
    clinic, ids = await seeded(client, container)
    account_token, linked = await clinic.patient_login(family_name="Zola", birth_date="1980-01-01")

    women = await found(clinic, sex="female")
    born_before_1970 = await found(clinic, birth_date_to="1969-12-31")
    born_in_range = await found(clinic, birth_date_from="1968-04-12", birth_date_to="1990-02-01")
    with_account = await found(clinic, has_user="true")
    by_user = await found(clinic, user_id=linked["user_id"])
    by_mrn = await found(clinic, mrn="a-1001")
    youngest_first = await found(clinic, sort="-birth_date")

    assert women == ["Durand", "Lefèvre"]
    assert born_before_1970 == ["Dupont", "Martin"]
    assert born_in_range == ["Dupont", "Lefèvre", "Zola"]
    assert with_account == by_user == ["Zola"]
    assert by_mrn == ["Dupont"]
    assert youngest_first == ["Durand", "Lefèvre", "Zola", "Dupont", "Martin"]
    pages: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, "sort": "birth_date"}
        if cursor:
            params["cursor"] = cursor
        response = await clinic.get("/api/v1/patients", **params)
        body = response.json()
        assert body["page"]["total"] == 5
        pages.extend(p["family_name"] for p in body["items"])
        cursor = body["page"]["next_cursor"]
        if cursor is None:
            break
    assert pages == list(reversed(youngest_first))
    assert ids and account_token


@pytest.mark.parametrize(
    "params",
    [{"blood_type": "O"}, {"sort": "email"}, {"sex": "x"}, {"birth_date_from": "yesterday"}, {"has_user": "maybe"},
     {"user_id": "me"}, {"q": ""}, {"q": "x" * 201}],
)  # fmt: skip
async def test_unknown_or_invalid_list_parameters_are_a_422(
    client: Client, container: Container, params: dict[str, str]
) -> None:
    clinic = await open_clinic(client, container)

    response = await clinic.get("/api/v1/patients", **params)

    assert response.status_code == 422


async def test_deleted_records_are_not_listed(client: Client, container: Container) -> None:
    clinic, ids = await seeded(client, container)

    await clinic.client.delete(f"/api/v1/patients/{ids['Martin']}", headers=clinic.headers)

    assert await found(clinic) == ["Dupont", "Durand", "Lefèvre"]
    assert await found(clinic, q="martin") == []


async def test_each_patient_a_list_shows_gets_an_audit_event(
    client: Client, container: Container, db: SavepointDatabase
) -> None:
    clinic, ids = await seeded(client, container)
    receptionist = await clinic.staff("receptionist")

    await clinic.get("/api/v1/patients", receptionist, q="du")

    events = [e for e in await audit_events(db, clinic.tenant.organization_id) if e["action"] == "patient.list"]
    assert sorted(e["patient_id"] for e in events) == sorted(UUID(ids[n]) for n in ("Dupont", "Durand"))
    assert all(e["resource_type"] == "patient" and e["details"] == {"search": True} for e in events)
