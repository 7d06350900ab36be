"""Small fakes that behave: in-memory implementations of the ports, for unit tests of the
application layer. Each names the protocol it implements, so mypy checks the fit."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self
from uuid import UUID

from returns.result import Failure, Result, Success

from medcore.domain.audit.checkpoint import Checkpoint
from medcore.domain.audit.entry import AuditEntry
from medcore.domain.clinical.consultation import Consultation
from medcore.domain.clinical.health_reminder import HealthReminder, HealthReminderDelivery
from medcore.domain.clinical.template import ConsultationTemplate
from medcore.domain.compliance.holds import LegalHold
from medcore.domain.compliance.ports import DisposalRecord, RetentionRun
from medcore.domain.gdpr.export import GdprExport
from medcore.domain.identity.action_token import ActionToken, TokenPurpose
from medcore.domain.identity.api_key import ApiKey
from medcore.domain.identity.email import EmailAddress
from medcore.domain.identity.organization import Organization, OrganizationSlug
from medcore.domain.identity.permissions import Role
from medcore.domain.identity.ports import AccessClaims, MfaChallenge, OutgoingEmail
from medcore.domain.identity.session import RevocationReason, Session
from medcore.domain.identity.user import User, UserStatus
from medcore.domain.patients.history import AnyEntry
from medcore.domain.patients.patient import Patient
from medcore.domain.patients.versions import PatientVersion
from medcore.domain.practitioners.practitioner import Practitioner
from medcore.domain.practitioners.resources import AppointmentType, Room
from medcore.domain.practitioners.schedule import Holiday, TimeOff
from medcore.domain.prescribing.prescription import Prescription
from medcore.domain.prescribing.template import PrescriptionTemplate
from medcore.domain.scheduling.appointment import Appointment
from medcore.domain.shared.errors import DomainError, field_invalid
from medcore.domain.shared.listing import ListQuery, Page
from tests.unit.fakes_audit import FakeAuditLog, FakeCheckpoints
from tests.unit.fakes_clinical import (
    FakeAppointments,
    FakeConsultations,
    FakeConsultationTemplates,
    FakeHealthMetrics,
    FakeHealthReminders,
    FakePrescriptionLinks,
)
from tests.unit.fakes_compliance import (
    FakeLegalHolds,
    FakeRecordSource,
    FakeRecordTable,
    FakeRetentionLedger,
)
from tests.unit.fakes_gdpr import (
    FakeErasureLog,
    FakeGdprExports,
    FakePatientDossier,
    FakePersonalData,
    PersonalDataTable,
)
from tests.unit.fakes_patients import FakeMedicalHistory, FakePatients
from tests.unit.fakes_practitioners import (
    FakeAppointmentTypes,
    FakeHolidays,
    FakePractitioners,
    FakeRooms,
    FakeTimeOff,
)
from tests.unit.fakes_prescribing import FakePrescriptions, FakePrescriptionTemplates

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class FixedClock:
    """A clock that only moves when told to."""

    def __init__(self, now: datetime = START) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


class SequentialIds:
    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def new_id(self) -> UUID:
        return UUID(int=next(self._counter))


class FakeHasher:
    """Reversible and instant; counts verifications so timing-equalisation is observable."""

    def __init__(self) -> None:
        self.burned = 0
        self.verified = 0

    def hash(self, password: str) -> str:
        return f"hashed:{password}"

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified += 1
        return password_hash == f"hashed:{password}"

    def needs_rehash(self, password_hash: str) -> bool:
        return False

    def burn(self) -> None:
        self.burned += 1


class FakeSigner:
    """Tokens are opaque handles to the claims they were issued with."""

    def __init__(self) -> None:
        self._access: dict[str, AccessClaims] = {}
        self._mfa: dict[str, MfaChallenge] = {}
        self._counter = itertools.count(1)

    def issue_access(self, claims: AccessClaims, issued_at: datetime) -> str:
        token = f"access-{next(self._counter)}"
        self._access[token] = claims
        return token

    def read_access(self, token: str, now: datetime) -> AccessClaims | None:
        claims = self._access.get(token)
        return claims if claims is not None and now < claims.expires_at else None

    def issue_mfa_challenge(self, challenge: MfaChallenge, issued_at: datetime) -> str:
        token = f"mfa-{next(self._counter)}"
        self._mfa[token] = challenge
        return token

    def read_mfa_challenge(self, token: str, now: datetime) -> MfaChallenge | None:
        challenge = self._mfa.get(token)
        return challenge if challenge is not None and now < challenge.expires_at else None


class FakeSecrets:
    def __init__(self) -> None:
        self._counter = itertools.count(1)

    def token(self) -> str:
        return f"secret-{next(self._counter):04d}"

    def key_id(self) -> str:
        return f"k{next(self._counter):06d}"

    def recovery_codes(self, count: int) -> list[str]:
        return [f"rc{next(self._counter):03d}-abcde" for _ in range(count)]


class FakeTotp:
    """The code of step ``n`` is ``n`` modulo a million, six digits; a step lasts 30 s."""

    def new_secret(self) -> str:
        return "TOTPSECRET"

    def provisioning_uri(self, secret: str, account: str, issuer: str) -> str:
        return f"otpauth://totp/{issuer}:{account}?secret={secret}"

    def step(self, now: datetime) -> int:
        return int(now.timestamp()) // 30

    def code_at(self, now: datetime) -> str:
        return f"{self.step(now) % 1_000_000:06d}"

    def matching_step(self, secret: str, code: str, now: datetime) -> int | None:
        current = self.step(now)
        for step in (current, current - 1, current + 1):
            if f"{step % 1_000_000:06d}" == code:
                return step
        return None


class FakeBox:
    def seal(self, plaintext: str) -> str:
        return f"sealed:{plaintext}"

    def open(self, sealed: str) -> str:
        return sealed.removeprefix("sealed:")


class RecordingMailer:
    def __init__(self) -> None:
        self.sent: list[OutgoingEmail] = []

    async def send(self, message: OutgoingEmail) -> None:
        self.sent.append(message)

    def last_token(self) -> str:
        """The token in the last email's link."""
        text = self.sent[-1].text
        return text.split("token=", 1)[1].split()[0]


@dataclass
class Store:
    """What the fake database holds; units of work copy from it and write back on commit."""

    organizations: dict[UUID, Organization] = field(default_factory=dict)
    users: dict[UUID, User] = field(default_factory=dict)
    sessions: dict[UUID, Session] = field(default_factory=dict)
    refresh_tokens: dict[str, tuple[UUID, int]] = field(default_factory=dict)
    api_keys: dict[UUID, ApiKey] = field(default_factory=dict)
    action_tokens: dict[UUID, ActionToken] = field(default_factory=dict)
    patients: dict[UUID, Patient] = field(default_factory=dict)
    mrn_counters: dict[UUID, int] = field(default_factory=dict)
    patient_entries: dict[UUID, AnyEntry] = field(default_factory=dict)
    patient_versions: list[PatientVersion] = field(default_factory=list)
    practitioners: dict[UUID, Practitioner] = field(default_factory=dict)
    time_off: dict[UUID, tuple[UUID, TimeOff]] = field(default_factory=dict)  # id -> (organization, time off)
    holidays: dict[UUID, tuple[UUID, Holiday]] = field(default_factory=dict)
    rooms: dict[UUID, Room] = field(default_factory=dict)
    appointment_types: dict[UUID, AppointmentType] = field(default_factory=dict)
    prescriptions: dict[UUID, Prescription] = field(default_factory=dict)
    prescription_templates: dict[UUID, PrescriptionTemplate] = field(default_factory=dict)
    consultations: dict[UUID, Consultation] = field(default_factory=dict)
    consultation_templates: dict[UUID, ConsultationTemplate] = field(default_factory=dict)
    health_reminders: dict[UUID, HealthReminder] = field(default_factory=dict)
    health_reminder_deliveries: dict[tuple[UUID, datetime], HealthReminderDelivery] = field(default_factory=dict)
    appointments: dict[UUID, Appointment] = field(default_factory=dict)  # read by the clinical use cases
    audit: list[AuditEntry] = field(default_factory=list)
    audit_checkpoints: list[Checkpoint] = field(default_factory=list)
    audit_disposed: dict[UUID, int] = field(default_factory=dict)  # organization -> disposed through
    legal_holds: dict[UUID, LegalHold] = field(default_factory=dict)
    retention_runs: dict[UUID, RetentionRun] = field(default_factory=dict)
    retention_disposals: dict[UUID, DisposalRecord] = field(default_factory=dict)
    retention_records: dict[str, FakeRecordTable] = field(default_factory=dict)  # source name -> its records
    gdpr_exports: dict[UUID, GdprExport] = field(default_factory=dict)
    gdpr_erasures: list[dict[str, Any]] = field(default_factory=list)
    personal_data: PersonalDataTable = field(default_factory=PersonalDataTable)

    def actions(self) -> list[str]:
        return [e.action for e in self.audit]


def _page(items: Sequence[Any], query: ListQuery) -> Result[Page[Any], DomainError]:
    start = 0
    if query.cursor is not None:
        if not query.cursor.isdigit():
            return Failure(field_invalid("cursor", "bad cursor", code="pagination.invalid_cursor"))
        start = int(query.cursor)
    chunk = list(items[start : start + query.limit])
    more = start + query.limit < len(items)
    return Success(
        Page(items=chunk, limit=query.limit, next_cursor=str(start + query.limit) if more else None, total=len(items))
    )


class _Versioned:
    def __init__(self, table: dict[UUID, Any]) -> None:
        self._table = table

    def _get(self, key: UUID) -> Any:
        found = self._table.get(key)
        return copy.deepcopy(found) if found is not None else None

    def _save(self, entity: Any) -> bool:
        current = self._table.get(entity.id)
        if current is None or current.version != entity.version:
            return False
        entity.version += 1
        self._table[entity.id] = copy.deepcopy(entity)
        return True


class FakeOrganizations(_Versioned):
    async def add(self, organization: Organization) -> None:
        self._table[organization.id] = copy.deepcopy(organization)

    async def get(self, organization_id: UUID, *, lock: bool = False) -> Organization | None:
        found: Organization | None = self._get(organization_id)
        return found

    async def by_slug(self, slug: OrganizationSlug) -> Organization | None:
        return next((copy.deepcopy(o) for o in self._table.values() if o.slug == slug), None)

    async def slug_taken(self, slug: OrganizationSlug) -> bool:
        return await self.by_slug(slug) is not None

    async def save(self, organization: Organization) -> bool:
        return self._save(organization)


class FakeUsers(_Versioned):
    async def add(self, user: User) -> None:
        self._table[user.id] = copy.deepcopy(user)

    async def get(self, organization_id: UUID, user_id: UUID, *, lock: bool = False) -> User | None:
        user: User | None = self._get(user_id)
        return user if user is not None and user.organization_id == organization_id else None

    async def by_email(self, organization_id: UUID, email: EmailAddress, *, lock: bool = False) -> User | None:
        return next(
            (
                copy.deepcopy(u)
                for u in self._table.values()
                if u.organization_id == organization_id and u.email == email
            ),
            None,
        )

    async def email_taken(self, organization_id: UUID, email: EmailAddress) -> bool:
        return await self.by_email(organization_id, email) is not None

    async def count_active_owners(self, organization_id: UUID) -> int:
        return sum(
            1
            for u in self._table.values()
            if u.organization_id == organization_id and u.role is Role.OWNER and u.status is UserStatus.ACTIVE
        )

    async def save(self, user: User) -> bool:
        return self._save(user)

    async def list(self, organization_id: UUID, query: ListQuery) -> Result[Page[User], DomainError]:
        users = sorted(
            (
                u
                for u in self._table.values()
                if u.organization_id == organization_id
                and all(
                    str(getattr(u, k).value if hasattr(getattr(u, k), "value") else getattr(u, k)) == str(v)
                    for k, v in query.filters.items()
                )
            ),
            key=lambda u: (u.created_at, u.id),
        )
        return _page([copy.deepcopy(u) for u in users], query)


class FakeSessions(_Versioned):
    def __init__(self, table: dict[UUID, Session], tokens: dict[str, tuple[UUID, int]]) -> None:
        super().__init__(table)
        self._tokens = tokens

    async def add(self, session: Session) -> None:
        self._table[session.id] = copy.deepcopy(session)
        await self.remember_refresh_token(session)

    async def get(self, organization_id: UUID, session_id: UUID, *, lock: bool = False) -> Session | None:
        session: Session | None = self._get(session_id)
        return session if session is not None and session.organization_id == organization_id else None

    async def by_refresh_token(self, token_hash: str, *, lock: bool = False) -> tuple[Session, int] | None:
        found = self._tokens.get(token_hash)
        if found is None:
            return None
        session_id, generation = found
        return self._get(session_id), generation

    async def remember_refresh_token(self, session: Session) -> None:
        self._tokens[session.refresh_token_hash] = (session.id, session.generation)

    async def active_for_user(self, organization_id: UUID, user_id: UUID, now: datetime) -> Sequence[Session]:
        return [
            copy.deepcopy(s)
            for s in self._table.values()
            if s.organization_id == organization_id and s.user_id == user_id and s.is_active(now)
        ]

    async def revoke_all_for_user(
        self, organization_id: UUID, user_id: UUID, now: datetime, reason: RevocationReason, *, keep: UUID | None = None
    ) -> int:
        count = 0
        for session in self._table.values():
            if (
                session.organization_id == organization_id
                and session.user_id == user_id
                and session.id != keep
                and session.revoke(now, reason)
            ):
                session.version += 1
                count += 1
        return count

    async def save(self, session: Session) -> bool:
        return self._save(session)


class FakeApiKeys(_Versioned):
    async def add(self, key: ApiKey) -> None:
        self._table[key.id] = copy.deepcopy(key)

    async def get(self, organization_id: UUID, key_id: UUID, *, lock: bool = False) -> ApiKey | None:
        key: ApiKey | None = self._get(key_id)
        return key if key is not None and key.organization_id == organization_id else None

    async def by_public_id(self, public_id: str) -> ApiKey | None:
        return next((copy.deepcopy(k) for k in self._table.values() if k.key_id == public_id), None)

    async def save(self, key: ApiKey) -> bool:
        return self._save(key)

    async def list(self, organization_id: UUID, query: ListQuery, now: datetime) -> Result[Page[ApiKey], DomainError]:
        keys = [
            copy.deepcopy(k)
            for k in sorted(self._table.values(), key=lambda k: (k.created_at, k.id))
            if k.organization_id == organization_id
            and ("active" not in query.filters or k.is_active(now) == query.filters["active"])
        ]
        return _page(keys, query)


class FakeActionTokens(_Versioned):
    async def add(self, token: ActionToken) -> None:
        self._table[token.id] = copy.deepcopy(token)

    async def by_hash(self, organization_id: UUID, token_hash: str, *, lock: bool = False) -> ActionToken | None:
        return next(
            (
                copy.deepcopy(t)
                for t in self._table.values()
                if t.organization_id == organization_id and t.token_hash == token_hash
            ),
            None,
        )

    async def save(self, token: ActionToken) -> bool:
        return self._save(token)

    async def invalidate_for_user(
        self, organization_id: UUID, user_id: UUID, purpose: TokenPurpose, now: datetime
    ) -> None:
        for token in self._table.values():
            if (
                token.organization_id == organization_id
                and token.user_id == user_id
                and token.purpose is purpose
                and token.used_at is None
            ):
                token.used_at = now
                token.version += 1


class FakeAuditTrail:
    def __init__(self) -> None:
        self.pending: list[AuditEntry] = []

    async def record(self, entry: AuditEntry) -> None:
        self.pending.append(entry)


class FakeUnitOfWork:
    """Works on a copy of the store; ``commit`` writes the copy back, like a transaction."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.committed = False

    async def __aenter__(self) -> Self:
        self._working = copy.deepcopy(self._store)
        working = self._working
        self.organizations = FakeOrganizations(working.organizations)
        self.users = FakeUsers(working.users)
        self.sessions = FakeSessions(working.sessions, working.refresh_tokens)
        self.api_keys = FakeApiKeys(working.api_keys)
        self.action_tokens = FakeActionTokens(working.action_tokens)
        self.patients = FakePatients(working.patients, working.mrn_counters)
        self.medical_history = FakeMedicalHistory(working.patient_entries, working.patient_versions)
        self.practitioners = FakePractitioners(working.practitioners)
        self.time_off = FakeTimeOff(working.time_off)
        self.holidays = FakeHolidays(working.holidays)
        self.rooms = FakeRooms(working.rooms)
        self.appointment_types = FakeAppointmentTypes(working.appointment_types)
        self.prescriptions = FakePrescriptions(working.prescriptions, working.practitioners)
        self.prescription_templates = FakePrescriptionTemplates(working.prescription_templates)
        self.consultations = FakeConsultations(working.consultations)
        self.consultation_templates = FakeConsultationTemplates(working.consultation_templates)
        self.health_reminders = FakeHealthReminders(working.health_reminders, working.health_reminder_deliveries)
        self.health_metrics = FakeHealthMetrics(working.patient_entries)
        self.prescription_links = FakePrescriptionLinks(working.prescriptions)
        self.appointments = FakeAppointments(working.appointments)
        self.audit = FakeAuditTrail()
        self.audit_log = FakeAuditLog(self._store)  # reads what was committed, as the database would
        self.audit_checkpoints = FakeCheckpoints(self._store)
        self.legal_holds = FakeLegalHolds(working.legal_holds)
        self.retention_ledger = FakeRetentionLedger(working.retention_runs, working.retention_disposals)
        self.record_sources = tuple(FakeRecordSource(name, t) for name, t in working.retention_records.items())
        self.gdpr_exports = FakeGdprExports(working.gdpr_exports)
        self.gdpr_erasures = FakeErasureLog(working.gdpr_erasures)
        self.patient_dossier = FakePatientDossier(working.patients)
        self.personal_data = FakePersonalData(working.patients, working.personal_data)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None

    async def commit(self) -> None:
        working = self._working
        self._store.organizations = working.organizations
        self._store.users = working.users
        self._store.sessions = working.sessions
        self._store.refresh_tokens = working.refresh_tokens
        self._store.api_keys = working.api_keys
        self._store.action_tokens = working.action_tokens
        self._store.patients = working.patients
        self._store.mrn_counters = working.mrn_counters
        self._store.patient_entries = working.patient_entries
        self._store.patient_versions = working.patient_versions
        self._store.practitioners = working.practitioners
        self._store.time_off = working.time_off
        self._store.holidays = working.holidays
        self._store.rooms = working.rooms
        self._store.appointment_types = working.appointment_types
        self._store.prescriptions = working.prescriptions
        self._store.prescription_templates = working.prescription_templates
        self._store.consultations = working.consultations
        self._store.consultation_templates = working.consultation_templates
        self._store.health_reminders = working.health_reminders
        self._store.health_reminder_deliveries = working.health_reminder_deliveries
        self._store.appointments = working.appointments
        self._store.legal_holds = working.legal_holds
        self._store.retention_runs = working.retention_runs
        self._store.retention_disposals = working.retention_disposals
        self._store.retention_records = working.retention_records
        self._store.gdpr_exports = working.gdpr_exports
        self._store.gdpr_erasures = working.gdpr_erasures
        self._store.personal_data = working.personal_data
        self._store.audit.extend(self.audit.pending)
        self.audit.pending = []
        self._working = copy.deepcopy(self._store)
        self.committed = True

    async def rollback(self) -> None:
        self._working = copy.deepcopy(self._store)
