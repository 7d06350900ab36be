"""Postgres repository of patient records, with the search over names, MRN, email and phone.

Search never scans with ``LIKE '%..%'``: the repository keeps, on each row, a folded text of
the searchable fields (``search_text``, lower-case ASCII) and its ``tsvector``. A query
matches by word prefix through the full-text index (``dup jea`` finds Jean Dupont) or, to
forgive a typo, by trigram word similarity through the ``gin_trgm_ops`` index (``Dupond``
finds Dupont).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from uuid import UUID

from returns.result import Result
from sqlalchemy import ColumnElement, RowMapping, Text, exists, false, func, literal, or_, select, text
from sqlalchemy.dialects.postgresql import insert

from medcore.adapters.postgres.base import Repository, refuse_on
from medcore.adapters.postgres.listing import keyset_page, prefix_tsquery
from medcore.adapters.postgres.patient_tables import patient_mrn_counters, patients
from medcore.domain.patients.patient import ACCOUNT_ALREADY_LINKED, MRN_TAKEN, Patient
from medcore.domain.patients.values import Address, ContactChannel, CountryCode, MedicalRecordNumber, Sex
from medcore.domain.practitioners.schedule import TimeZoneName
from medcore.domain.shared.errors import DomainError
from medcore.domain.shared.listing import ListQuery, Page, SortKey

refuse_on("uq_patients_organization_id_mrn", MRN_TAKEN)
refuse_on("ix_patients_organization_id_user_id", ACCOUNT_ALREADY_LINKED)

_PUNCTUATION = re.compile(r"[@.+_/\-]+")
_NOT_WORD = re.compile(r"[\W_]+")
_PHONE_LIKE = re.compile(r"^[+0-9().\-\s/]+$")
_TRIGRAM_MINIMUM = 3  # shorter queries match too much by similarity: prefixes only


def fold(value: str) -> str:
    """Lower case without accents (``Éloïse`` -> ``eloise``), as stored and as searched."""
    decomposed = unicodedata.normalize("NFKD", value)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def search_text(patient: Patient) -> str:
    """The words a search may meet: names (also without their apostrophes and hyphens), the
    MRN (as written, split, and compact), the email split at its punctuation, and the
    phone's digits with and without their first one to three digits (a country code), so
    that a national number matches by prefix."""
    words = [patient.given_name, patient.family_name]
    words.extend(_NOT_WORD.sub("", name) for name in (patient.given_name, patient.family_name))  # O'Brien: obrien
    words.extend([patient.mrn, _PUNCTUATION.sub(" ", patient.mrn), _PUNCTUATION.sub("", patient.mrn)])
    if patient.email:
        words.append(_PUNCTUATION.sub(" ", patient.email))
    if patient.phone:
        digits = patient.phone.lstrip("+")
        words.extend(digits[skip:] for skip in range(4))
    return fold(" ".join(words))


def search_condition(query: str) -> ColumnElement[bool]:
    """Each word of the query starts a word of the record (full text, prefix); or the query's
    letters resemble the record's words (trigram word similarity, for typos in names and
    emails). Numbers are never matched by similarity: a mistyped MRN or phone must not find
    another patient. A phone-like query is also read as one number, without its national
    trunk prefix (``06 12 34 56 78`` finds ``+33612345678``)."""
    folded = fold(query)
    tsqueries = [q for q in [prefix_tsquery(folded)] if q]
    if _PHONE_LIKE.match(query.strip()):
        digits = re.sub(r"\D", "", query)
        digits = digits[2:] if digits.startswith("00") else digits.lstrip("0")
        if len(digits) >= 4:
            tsqueries.append(f"{digits}:*")
    conditions: list[ColumnElement[bool]] = []
    if tsqueries:
        tsquery = " | ".join(f"({q})" for q in tsqueries)
        conditions.append(patients.c.search_vector.op("@@")(func.to_tsquery(text("'simple'"), tsquery)))
    letters = " ".join(re.sub(r"[^a-z]+", " ", folded).split())
    if len(letters.replace(" ", "")) >= _TRIGRAM_MINIMUM:
        conditions.append(literal(letters, Text).op("<%")(patients.c.search_text))
    return or_(false(), *conditions)


def _patient(row: RowMapping) -> Patient:
    address = None
    if row["address_line1"] is not None:
        address = Address(
            line1=row["address_line1"],
            line2=row["address_line2"],
            postal_code=row["address_postal_code"],
            city=row["address_city"],
            country=CountryCode(row["address_country"]),
        )
    return Patient(
        id=row["id"],
        organization_id=row["organization_id"],
        mrn=row["mrn"],
        given_name=row["given_name"],
        family_name=row["family_name"],
        birth_date=row["birth_date"],
        sex=Sex(row["sex"]),
        email=row["email"],
        phone=row["phone"],
        address=address,
        preferred_language=row["preferred_language"],
        preferred_channel=ContactChannel(row["preferred_channel"]),
        time_zone=TimeZoneName(row["time_zone"]) if row["time_zone"] else None,
        user_id=row["user_id"],
        deleted_at=row["deleted_at"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        version=row["version"],
    )


def _patient_values(patient: Patient) -> dict[str, Any]:
    address = patient.address
    searchable = search_text(patient)
    return {
        "mrn": patient.mrn,
        "given_name": patient.given_name,
        "family_name": patient.family_name,
        "birth_date": patient.birth_date,
        "sex": patient.sex.value,
        "email": patient.email,
        "phone": patient.phone,
        "address_line1": address.line1 if address else None,
        "address_line2": address.line2 if address else None,
        "address_postal_code": address.postal_code if address else None,
        "address_city": address.city if address else None,
        "address_country": address.country.value if address else None,
        "preferred_language": patient.preferred_language,
        "preferred_channel": patient.preferred_channel.value,
        "time_zone": patient.time_zone.value if patient.time_zone else None,
        "user_id": patient.user_id,
        "search_text": searchable,
        "search_vector": func.to_tsvector(text("'simple'"), searchable),
        "deleted_at": patient.deleted_at,
        "updated_at": patient.updated_at,
    }


_SORTABLE = {name: patients.c[name] for name in ("family_name", "given_name", "birth_date", "created_at", "mrn")}


class PgPatients(Repository):
    async def add(self, patient: Patient) -> None:
        await self._execute(
            patients.insert().values(
                id=patient.id,
                organization_id=patient.organization_id,
                created_at=patient.created_at,
                version=patient.version,
                **_patient_values(patient),
            )
        )

    async def get(self, organization_id: UUID, patient_id: UUID, *, lock: bool = False) -> Patient | None:
        statement = select(patients).where(
            patients.c.organization_id == organization_id,
            patients.c.id == patient_id,
            patients.c.deleted_at.is_(None),
        )
        if lock:
            statement = statement.with_for_update()
        row = (await self._execute(statement)).mappings().first()
        return _patient(row) if row else None

    async def by_user(self, organization_id: UUID, user_id: UUID) -> Patient | None:
        statement = select(patients).where(
            patients.c.organization_id == organization_id,
            patients.c.user_id == user_id,
            patients.c.deleted_at.is_(None),
        )
        row = (await self._execute(statement)).mappings().first()
        return _patient(row) if row else None

    async def next_mrn(self, organization_id: UUID) -> str:
        now = func.now()
        advance = (
            insert(patient_mrn_counters)
            .values(organization_id=organization_id, last_value=1, created_at=now, updated_at=now, version=1)
            .on_conflict_do_update(
                index_elements=[patient_mrn_counters.c.organization_id],
                set_={
                    "last_value": patient_mrn_counters.c.last_value + 1,
                    "updated_at": now,
                    "version": patient_mrn_counters.c.version + 1,
                },
            )
            .returning(patient_mrn_counters.c.last_value)
        )
        number = (await self._execute(advance)).scalar_one()
        return MedicalRecordNumber.generated(int(number)).value

    async def mrn_taken(self, organization_id: UUID, mrn: str) -> bool:
        statement = select(exists().where(patients.c.organization_id == organization_id, patients.c.mrn == mrn))
        return bool((await self._execute(statement)).scalar_one())

    async def save(self, patient: Patient) -> bool:
        saved = await self._update_versioned(
            patients, patient.id, patient.organization_id, patient.version, _patient_values(patient)
        )
        if saved:
            patient.version += 1
        return saved

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[Patient], DomainError]:
        base = select(patients).where(patients.c.organization_id == organization_id, patients.c.deleted_at.is_(None))
        filters = query.filters
        if "sex" in filters:
            base = base.where(patients.c.sex == filters["sex"])
        if "birth_date_from" in filters:
            base = base.where(patients.c.birth_date >= filters["birth_date_from"])
        if "birth_date_to" in filters:
            base = base.where(patients.c.birth_date <= filters["birth_date_to"])
        if "has_user" in filters:
            base = base.where(patients.c.user_id.is_not(None) if filters["has_user"] else patients.c.user_id.is_(None))
        if "user_id" in filters:
            base = base.where(patients.c.user_id == filters["user_id"])
        if "mrn" in filters:
            base = base.where(patients.c.mrn == filters["mrn"])
        if query.search:
            base = base.where(search_condition(query.search))
        return await keyset_page(
            self._connection,
            base,
            query,
            _SORTABLE,
            patients.c.id,
            _patient,
            default_sort=SortKey("family_name"),
        )
