"""`medcore anonymise`: one organization copied into another database with every identity
replaced, consistently across tables, foreign keys intact."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import create_engine, func, pool, select, text

from medcore.adapters.postgres.anonymise import copied_tables
from medcore.adapters.postgres.database import SavepointDatabase
from medcore.adapters.postgres.engine import normalise_url
from medcore.application.demo.demo_patients import DEMO_PATIENTS
from medcore.application.demo.seed_demo import DEMO_LOGINS
from medcore.application.shared.actor import system_actor
from medcore.container import Container
from medcore.domain.shared.errors import ErrorKind
from tests.integration.gdpr.support import seeded_demo
from tests.integration.helpers import Client


async def test_the_copy_replaces_identities_consistently_and_keeps_every_row(
    client: Client, container: Container, db: SavepointDatabase, fresh_database_url: str
) -> None:
    demo = await seeded_demo(client, container)
    organization_id = UUID(demo.organization_id)
    actor = system_actor(organization_id, organization_id)

    counts = (await container.use_cases.anonymise_organization().execute(actor, fresh_database_url)).unwrap()
    again = await container.use_cases.anonymise_organization().execute(actor, fresh_database_url)

    assert again.failure().kind is ErrorKind.CONFLICT  # the target already holds the organization
    assert set(counts) == set(copied_tables()) and counts["patients"] == len(DEMO_PATIENTS)
    for name in ("patients", "appointments", "consultations", "patient_versions", "users", "practitioners"):
        source = await db.connection.execute(
            text(f"SELECT count(*) FROM {name} WHERE organization_id = :o"),
            {"o": organization_id},
        )
        assert counts[name] == source.scalar_one(), name
    originals = [p.family_name for p in DEMO_PATIENTS] + [p.email for p in DEMO_PATIENTS if p.email]
    originals += [login.email for login in DEMO_LOGINS] + [p.phone for p in DEMO_PATIENTS if p.phone]
    originals += [p.phone.replace(" ", "") for p in DEMO_PATIENTS if p.phone]  # stored in E.164
    originals += [f"{p.given_name} {p.family_name}" for p in DEMO_PATIENTS]
    originals += ["Hives"]  # a free-text reaction

    engine = create_engine(normalise_url(fresh_database_url), poolclass=pool.NullPool)
    try:
        with engine.connect() as target:
            for name in copied_tables():
                dumped = " ".join(target.execute(text(f"SELECT t::text FROM {name} AS t")).scalars())
                for original in originals:
                    assert original.lower() not in dumped.lower(), (name, original)
            for name, count in counts.items():
                assert target.execute(text(f"SELECT count(*) FROM {name}")).scalar_one() == count, name
            joined = target.execute(
                text("SELECT count(*) FROM appointments a JOIN patients p ON p.id = a.patient_id")
            ).scalar_one()
            assert joined == counts["appointments"]
            jean = target.execute(
                text("SELECT given_name, family_name, birth_date, email FROM patients WHERE id = :id"),
                {"id": UUID(demo.patient_id)},
            ).one()
            assert jean.birth_date != DEMO_PATIENTS[0].birth_date
            assert abs((jean.birth_date - DEMO_PATIENTS[0].birth_date).days) <= 182
            assert jean.email.endswith("@example.invalid")
            snapshot = target.execute(
                text(
                    "SELECT snapshot FROM patient_versions WHERE patient_id = :id AND resource_type = 'patient' "
                    "ORDER BY sequence DESC LIMIT 1"
                ),
                {"id": UUID(demo.patient_id)},
            ).scalar_one()
            assert (snapshot["given_name"], snapshot["family_name"], snapshot["email"]) == (
                jean.given_name,
                jean.family_name,
                jean.email,
            )
            assert snapshot["birth_date"] == jean.birth_date.isoformat()
            assert target.execute(text("SELECT count(*) FROM audit_events")).scalar_one() == 0
            linked = target.execute(
                select(func.count()).select_from(text("patients")).where(text("user_id IS NOT NULL"))
            ).scalar_one()
            assert linked >= 1
    finally:
        engine.dispose()
