"""The composition root: which adapter serves which port, chosen from settings.

Containers are split by concern (core services, gateways to the outside world, use cases)
and joined in ``Container``. Tests override providers with fakes
(``container.gateways.mailer.override(...)``).
"""

from __future__ import annotations

import secrets as _secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import structlog
from dependency_injector import containers, providers

from medcore.adapters.blobs.audit_checkpoints import BlobCheckpointArchive
from medcore.adapters.blobs.local import LocalBlobStore
from medcore.adapters.blobs.retention_archive import BlobRetentionArchive
from medcore.adapters.clock import SystemClock, Uuid7Ids
from medcore.adapters.email.outbox import OutboxEmailSender
from medcore.adapters.formulary.json_formulary import shipped_formulary
from medcore.adapters.notifications.outbox import OutboxNotifier
from medcore.adapters.pdf.prescriptions import WeasyPrintPrescriptionRenderer
from medcore.adapters.postgres.anonymise import PostgresAnonymisedCopy
from medcore.adapters.postgres.compliance_sources import record_source_factories
from medcore.adapters.postgres.database import EngineDatabase
from medcore.adapters.postgres.engine import create_engine
from medcore.adapters.postgres.health import PgReadiness
from medcore.adapters.postgres.idempotency import PgIdempotencyStore
from medcore.adapters.postgres.migrate import head_revision
from medcore.adapters.postgres.unit_of_work import SqlUnitOfWork
from medcore.adapters.scheduling.recurrence import DateutilRecurrence
from medcore.adapters.security.audit_digests import DEVELOPMENT_DIGEST_KEY, LazyDigestKey, audit_digest_key
from medcore.adapters.security.passwords import Argon2PasswordHasher, CommonPasswordList
from medcore.adapters.security.secrets import (
    AesGcmSecretBox,
    PyOtpTotp,
    RandomSecrets,
    derive_key,
)
from medcore.adapters.security.signing import (
    Ed25519CheckpointSigner,
    SigningKeyError,
    development_signing_key,
    load_public_key,
    load_signing_key,
)
from medcore.adapters.security.tokens import JwtTokenSigner
from medcore.adapters.security.verification_codes import HmacVerificationCodes
from medcore.application.audit.create_checkpoints import CreateCheckpoints
from medcore.application.audit.dispose_audit_events import DisposeAuditEvents
from medcore.application.audit.export_audit_events import ExportAuditEvents
from medcore.application.audit.get_access_log import GetAccessLog
from medcore.application.audit.list_audit_events import ListAuditEvents
from medcore.application.audit.verify_trail import VerifyAuditTrail
from medcore.application.clinical.add_addendum import AddAddendum
from medcore.application.clinical.cancel_health_reminder import CancelHealthReminder
from medcore.application.clinical.create_consultation import CreateConsultation
from medcore.application.clinical.create_consultation_template import CreateConsultationTemplate
from medcore.application.clinical.create_health_reminder import CreateHealthReminder
from medcore.application.clinical.get_consultation import GetConsultation
from medcore.application.clinical.get_consultation_template import GetConsultationTemplate
from medcore.application.clinical.get_health_metrics import GetHealthMetrics
from medcore.application.clinical.get_health_reminder import GetHealthReminder
from medcore.application.clinical.list_consultation_templates import ListConsultationTemplates
from medcore.application.clinical.list_consultations import ListConsultations
from medcore.application.clinical.list_health_reminders import ListHealthReminders
from medcore.application.clinical.send_health_reminders import SendHealthReminders
from medcore.application.clinical.sign_consultation import SignConsultation
from medcore.application.clinical.update_consultation import UpdateConsultation
from medcore.application.clinical.update_consultation_template import UpdateConsultationTemplate
from medcore.application.compliance.get_legal_hold import GetLegalHold
from medcore.application.compliance.get_retention_policy import GetRetentionPolicy
from medcore.application.compliance.list_legal_holds import ListLegalHolds
from medcore.application.compliance.place_legal_hold import PlaceLegalHold
from medcore.application.compliance.plan_retention import PlanRetention
from medcore.application.compliance.release_legal_hold import ReleaseLegalHold
from medcore.application.compliance.run_retention import RunRetention
from medcore.application.compliance.update_retention_policy import UpdateRetentionPolicy
from medcore.application.demo.demo_appointments import SeedDemoAppointments
from medcore.application.demo.demo_clinical import SeedDemoClinical
from medcore.application.demo.demo_patients import SeedDemoPatients
from medcore.application.demo.demo_practitioners import SeedDemoPractitioners
from medcore.application.demo.seed_demo import SeedDemo
from medcore.application.gdpr.anonymise_organization import AnonymiseOrganization
from medcore.application.gdpr.download_export import DownloadPatientExport
from medcore.application.gdpr.erase_patient import ErasePatient
from medcore.application.gdpr.get_export import GetPatientExport
from medcore.application.gdpr.request_export import RequestPatientExport
from medcore.application.identity.authenticate import Authenticate
from medcore.application.identity.change_password import ChangePassword
from medcore.application.identity.config import IdentityConfig
from medcore.application.identity.confirm_totp import ConfirmTotp
from medcore.application.identity.create_api_key import CreateApiKey
from medcore.application.identity.create_organization import CreateOrganization
from medcore.application.identity.create_user import CreateUser
from medcore.application.identity.deactivate_user import DeactivateUser
from medcore.application.identity.enroll_totp import EnrollTotp
from medcore.application.identity.forgot_password import ForgotPassword
from medcore.application.identity.get_current_user import GetCurrentUser
from medcore.application.identity.get_organization import GetOrganization
from medcore.application.identity.get_user import GetUser
from medcore.application.identity.list_api_keys import ListApiKeys
from medcore.application.identity.list_sessions import ListSessions
from medcore.application.identity.list_users import ListUsers
from medcore.application.identity.login import Login
from medcore.application.identity.logout import Logout
from medcore.application.identity.refresh import RefreshSession
from medcore.application.identity.register_patient import RegisterPatient
from medcore.application.identity.reset_password import ResetPassword
from medcore.application.identity.revoke_api_key import RevokeApiKey
from medcore.application.identity.revoke_session import RevokeSession
from medcore.application.identity.rotate_api_key import RotateApiKey
from medcore.application.identity.update_organization import UpdateOrganization
from medcore.application.identity.update_user import UpdateUser
from medcore.application.identity.verify_email import VerifyEmail
from medcore.application.identity.verify_mfa import VerifyMfa
from medcore.application.patients.add_allergy import AddAllergy
from medcore.application.patients.add_condition import AddCondition
from medcore.application.patients.add_measurement import AddMeasurement
from medcore.application.patients.add_medication import AddMedication
from medcore.application.patients.create_patient import CreatePatient
from medcore.application.patients.delete_patient import DeletePatient
from medcore.application.patients.end_history_entry import EndHistoryEntry
from medcore.application.patients.get_history_entry import GetHistoryEntry
from medcore.application.patients.get_own_patient import GetOwnPatient
from medcore.application.patients.get_patient import GetPatient
from medcore.application.patients.get_patient_history import GetPatientHistory
from medcore.application.patients.list_history_entries import ListHistoryEntries
from medcore.application.patients.list_patients import ListPatients
from medcore.application.patients.update_patient import UpdatePatient
from medcore.application.practitioners.add_time_off import AddTimeOff
from medcore.application.practitioners.create_appointment_type import CreateAppointmentType
from medcore.application.practitioners.create_holiday import CreateHoliday
from medcore.application.practitioners.create_practitioner import CreatePractitioner
from medcore.application.practitioners.create_room import CreateRoom
from medcore.application.practitioners.delete_holiday import DeleteHoliday
from medcore.application.practitioners.get_appointment_type import GetAppointmentType
from medcore.application.practitioners.get_holiday import GetHoliday
from medcore.application.practitioners.get_practitioner import GetPractitioner
from medcore.application.practitioners.get_room import GetRoom
from medcore.application.practitioners.get_time_off import GetTimeOff
from medcore.application.practitioners.list_appointment_types import ListAppointmentTypes
from medcore.application.practitioners.list_holidays import ListHolidays
from medcore.application.practitioners.list_practitioners import ListPractitioners
from medcore.application.practitioners.list_rooms import ListRooms
from medcore.application.practitioners.list_time_off import ListTimeOff
from medcore.application.practitioners.remove_time_off import RemoveTimeOff
from medcore.application.practitioners.set_working_hours import SetWorkingHours
from medcore.application.practitioners.update_appointment_type import UpdateAppointmentType
from medcore.application.practitioners.update_practitioner import UpdatePractitioner
from medcore.application.practitioners.update_room import UpdateRoom
from medcore.application.prescribing.cancel_prescription import CancelPrescription
from medcore.application.prescribing.create_prescription import CreatePrescription
from medcore.application.prescribing.create_prescription_template import CreatePrescriptionTemplate
from medcore.application.prescribing.delete_prescription_template import DeletePrescriptionTemplate
from medcore.application.prescribing.dispense_prescription import DispensePrescription
from medcore.application.prescribing.expire_prescriptions import ExpirePrescriptions
from medcore.application.prescribing.get_formulary_medication import GetFormularyMedication
from medcore.application.prescribing.get_prescription import GetPrescription
from medcore.application.prescribing.get_prescription_template import GetPrescriptionTemplate
from medcore.application.prescribing.list_patient_prescriptions import ListPatientPrescriptions
from medcore.application.prescribing.list_prescription_templates import ListPrescriptionTemplates
from medcore.application.prescribing.prescribe_from_template import PrescribeFromTemplate
from medcore.application.prescribing.print_prescription import PrintPrescription
from medcore.application.prescribing.renew_prescription import RenewPrescription
from medcore.application.prescribing.search_formulary import SearchFormulary
from medcore.application.prescribing.sign_prescription import SignPrescription
from medcore.application.prescribing.update_prescription import UpdatePrescription
from medcore.application.prescribing.validate_prescription import ValidatePrescription
from medcore.application.prescribing.verify_prescription import VerifyPrescription
from medcore.application.scheduling.appointment_calendar import GetAppointmentCalendar
from medcore.application.scheduling.appointment_stats import AppointmentStats
from medcore.application.scheduling.book_appointment import BookAppointment
from medcore.application.scheduling.calendar_feeds import CreateCalendarFeed, ReadCalendarFeed, RevokeCalendarFeed
from medcore.application.scheduling.cancel_appointment import CancelAppointment
from medcore.application.scheduling.change_status import ChangeAppointmentStatus
from medcore.application.scheduling.get_appointment import GetAppointment
from medcore.application.scheduling.join_waitlist import JoinWaitlist
from medcore.application.scheduling.leave_waitlist import LeaveWaitlist
from medcore.application.scheduling.list_appointments import ListAppointments
from medcore.application.scheduling.list_waitlist import ListWaitlist
from medcore.application.scheduling.reschedule_appointment import RescheduleAppointment
from medcore.application.scheduling.search_availability import SearchAvailability
from medcore.application.scheduling.send_reminders import SendReminders
from medcore.domain.identity.password import PasswordPolicy
from medcore.settings import Settings, SettingsError


def resolve_secret_key(settings: Settings, *, allow_generated: bool) -> bytes:
    """The configured key; else one generated earlier for development (``serve --demo``)
    under the data directory; else, when allowed, a new one kept there."""
    if settings.secret_key:
        return settings.secret_key.encode()
    stored = Path(settings.data_dir) / "secret_key"
    if stored.exists():
        return stored.read_text().strip().encode()
    if not allow_generated:
        raise SettingsError(
            "MEDCORE_SECRET_KEY is required (at least 32 characters; or MEDCORE_SECRET_KEY_FILE). "
            "Only `medcore serve --demo` generates a development key."
        )
    stored.parent.mkdir(parents=True, exist_ok=True)
    stored.write_text(_secrets.token_urlsafe(48))
    stored.chmod(0o600)
    return stored.read_text().strip().encode()


def _optional_secret(secret_key: Callable[[], bytes]) -> Callable[[], bytes | None]:
    """The secret key when one is configured (or was generated for development), else None."""

    def resolve() -> bytes | None:
        try:
            return secret_key()
        except SettingsError:
            return None

    return resolve


def _checkpoint_signer(settings: Settings, secret_key: Callable[[], bytes]) -> Ed25519CheckpointSigner:
    """The configured audit signing key; in development, one derived from the secret key
    (with a warning); with neither, a signer that can only verify the trusted keys."""
    try:
        trusted = [load_public_key(k) for k in settings.audit_trusted_keys]
    except SigningKeyError as exc:
        raise SettingsError(f"MEDCORE_AUDIT_TRUSTED_KEYS: {exc}.") from exc
    if settings.audit_signing_key:
        try:
            return Ed25519CheckpointSigner(load_signing_key(settings.audit_signing_key), trusted)
        except SigningKeyError as exc:
            raise SettingsError(f"MEDCORE_AUDIT_SIGNING_KEY: {exc}.") from exc
    secret = _optional_secret(secret_key)()
    if secret is None:
        if not trusted:
            raise SettingsError(
                "MEDCORE_AUDIT_SIGNING_KEY is required to sign or check audit checkpoints "
                "(or MEDCORE_SECRET_KEY in development, or MEDCORE_AUDIT_TRUSTED_KEYS to verify only)."
            )
        return Ed25519CheckpointSigner(None, trusted)
    structlog.get_logger("medcore").warning(
        "audit.signing_key.development",
        hint="set MEDCORE_AUDIT_SIGNING_KEY: checkpoints are now signed with a key derived from the secret key",
    )
    return Ed25519CheckpointSigner(development_signing_key(secret), trusted)


def _verification_digest_keys(secret_key: Callable[[], bytes]) -> list[bytes]:
    """Keys the raw IPs and user agents may have been digested under; none (raw values left
    unchecked) without the secret key, which the deployment's digests need."""
    secret = _optional_secret(secret_key)()
    return [audit_digest_key(secret), DEVELOPMENT_DIGEST_KEY] if secret is not None else []


def _identity_config(settings: Settings) -> IdentityConfig:
    return IdentityConfig(
        access_token_ttl=timedelta(minutes=settings.access_token_minutes),
        app_url=settings.app_url,
    )


class Core(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    secret_key = providers.Dependency(instance_of=bytes)
    database_url = providers.Dependency(instance_of=str)
    clock = providers.Singleton(SystemClock)
    ids = providers.Singleton(Uuid7Ids)
    identity_config = providers.Singleton(_identity_config, settings)


class Gateways(containers.DeclarativeContainer):
    core = providers.DependenciesContainer()

    engine = providers.Singleton(
        lambda url, settings: create_engine(
            url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow
        ),
        core.database_url,
        core.settings,
    )
    database = providers.Singleton(EngineDatabase, engine)
    hasher = providers.Singleton(Argon2PasswordHasher)
    common_passwords = providers.Singleton(CommonPasswordList)
    password_policy = providers.Singleton(
        lambda common: PasswordPolicy(is_common=common.__contains__), common_passwords
    )
    signer = providers.Singleton(lambda key: JwtTokenSigner(derive_key(key, "jwt")), core.secret_key)
    secret_box = providers.Singleton(lambda key: AesGcmSecretBox(derive_key(key, "secret-box")), core.secret_key)
    secrets = providers.Singleton(RandomSecrets)
    totp = providers.Singleton(PyOtpTotp)
    mailer = providers.Singleton(
        lambda settings: OutboxEmailSender(settings.email_outbox, settings.email_from),
        core.settings,
    )
    idempotency = providers.Singleton(PgIdempotencyStore, database)
    notifier = providers.Singleton(
        lambda settings: OutboxNotifier(settings.email_outbox, settings.email_from), core.settings
    )
    recurrence = providers.Singleton(DateutilRecurrence)
    readiness = providers.Singleton(lambda database: PgReadiness(database, head_revision()), database)
    # prescribing: the shipped formulary, printed prescriptions and their verification codes
    formulary = providers.Singleton(shipped_formulary)
    prescription_renderer = providers.Singleton(
        lambda settings: WeasyPrintPrescriptionRenderer(settings.public_url), core.settings
    )
    verification_codes = providers.Singleton(
        lambda key: HmacVerificationCodes(derive_key(key, "prescription-verification")), core.secret_key
    )
    # audit: the chain's digest key, checkpoint signatures and their blob-store copies
    blob_store = providers.Singleton(lambda settings: LocalBlobStore(Path(settings.data_dir) / "blobs"), core.settings)
    audit_digest_key = providers.Singleton(lambda key: LazyDigestKey(_optional_secret(key)), core.secret_key.provider)
    audit_verification_keys = providers.Singleton(_verification_digest_keys, core.secret_key.provider)
    checkpoint_signer = providers.Singleton(_checkpoint_signer, core.settings, core.secret_key.provider)
    # GDPR: anonymised copies of an organization (test data)
    anonymised_copy = providers.Factory(
        lambda database, clock: PostgresAnonymisedCopy(database, lambda: clock.now().date()), database, core.clock
    )
    checkpoint_archive = providers.Singleton(
        lambda blobs, signer: BlobCheckpointArchive(blobs, lambda: signer().public_key_base64),
        blob_store,
        checkpoint_signer.provider,
    )
    # compliance: every context's records for the retention engine (a new context adds its
    # sources in record_source_factories), and the archive of records disposed of by `archive`
    record_sources = providers.Singleton(
        lambda formulary: record_source_factories(
            frozenset(m.code for m in formulary.all() if m.controlled_schedule is not None)
        ),
        formulary,
    )
    retention_archive = providers.Singleton(BlobRetentionArchive, blob_store)


class UseCases(containers.DeclarativeContainer):
    core = providers.DependenciesContainer()
    gateways = providers.DependenciesContainer()

    unit_of_work = providers.Factory(
        SqlUnitOfWork,
        gateways.database,
        core.clock,
        core.ids,
        digest_key=gateways.audit_digest_key,
        record_sources=gateways.record_sources,
    )
    uow = unit_of_work.provider

    authenticate = providers.Singleton(Authenticate, uow, core.clock, gateways.signer)
    login = providers.Singleton(
        Login,
        uow,
        core.clock,
        core.ids,
        gateways.hasher,
        gateways.signer,
        gateways.secrets,
        core.identity_config,
    )
    verify_mfa = providers.Singleton(
        VerifyMfa,
        uow,
        core.clock,
        core.ids,
        gateways.hasher,
        gateways.signer,
        gateways.secrets,
        gateways.totp,
        gateways.secret_box,
        core.identity_config,
    )
    refresh = providers.Singleton(
        RefreshSession,
        uow,
        core.clock,
        gateways.signer,
        gateways.secrets,
        core.identity_config,
    )
    logout = providers.Singleton(Logout, uow, core.clock)
    list_sessions = providers.Singleton(ListSessions, uow, core.clock)
    revoke_session = providers.Singleton(RevokeSession, uow, core.clock)
    get_current_user = providers.Singleton(GetCurrentUser, uow)
    register_patient = providers.Singleton(
        RegisterPatient,
        uow,
        core.clock,
        core.ids,
        gateways.hasher,
        gateways.password_policy,
        gateways.secrets,
        gateways.mailer,
        core.identity_config,
    )
    change_password = providers.Singleton(ChangePassword, uow, core.clock, gateways.hasher, gateways.password_policy)
    forgot_password = providers.Singleton(
        ForgotPassword,
        uow,
        core.clock,
        core.ids,
        gateways.secrets,
        gateways.mailer,
        core.identity_config,
    )
    reset_password = providers.Singleton(ResetPassword, uow, core.clock, gateways.hasher, gateways.password_policy)
    verify_email = providers.Singleton(VerifyEmail, uow, core.clock)
    enroll_totp = providers.Singleton(
        EnrollTotp,
        uow,
        core.clock,
        gateways.totp,
        gateways.secret_box,
        core.identity_config,
    )
    confirm_totp = providers.Singleton(
        ConfirmTotp,
        uow,
        core.clock,
        gateways.totp,
        gateways.secret_box,
        gateways.secrets,
    )
    create_user = providers.Singleton(
        CreateUser,
        uow,
        core.clock,
        core.ids,
        gateways.hasher,
        gateways.password_policy,
        gateways.secrets,
        gateways.mailer,
        core.identity_config,
    )
    update_user = providers.Singleton(UpdateUser, uow, core.clock)
    deactivate_user = providers.Singleton(DeactivateUser, uow, core.clock)
    get_user = providers.Singleton(GetUser, uow)
    list_users = providers.Singleton(ListUsers, uow)
    create_api_key = providers.Singleton(CreateApiKey, uow, core.clock, core.ids, gateways.secrets)
    rotate_api_key = providers.Singleton(RotateApiKey, uow, core.clock, gateways.secrets)
    revoke_api_key = providers.Singleton(RevokeApiKey, uow, core.clock)
    list_api_keys = providers.Singleton(ListApiKeys, uow, core.clock)
    create_organization = providers.Singleton(
        CreateOrganization,
        uow,
        core.clock,
        core.ids,
        gateways.hasher,
        gateways.password_policy,
    )
    get_organization = providers.Singleton(GetOrganization, uow)
    update_organization = providers.Singleton(UpdateOrganization, uow, core.clock)
    # patients and their medical history
    create_patient = providers.Singleton(CreatePatient, uow, core.clock, core.ids)
    get_patient = providers.Singleton(GetPatient, uow)
    get_own_patient = providers.Singleton(GetOwnPatient, uow)
    list_patients = providers.Singleton(ListPatients, uow)
    update_patient = providers.Singleton(UpdatePatient, uow, core.clock, core.ids)
    delete_patient = providers.Singleton(DeletePatient, uow, core.clock, core.ids)
    add_allergy = providers.Singleton(AddAllergy, uow, core.clock, core.ids)
    add_condition = providers.Singleton(AddCondition, uow, core.clock, core.ids)
    add_medication = providers.Singleton(AddMedication, uow, core.clock, core.ids)
    add_measurement = providers.Singleton(AddMeasurement, uow, core.clock, core.ids)
    list_history_entries = providers.Singleton(ListHistoryEntries, uow)
    get_history_entry = providers.Singleton(GetHistoryEntry, uow)
    end_history_entry = providers.Singleton(EndHistoryEntry, uow, core.clock, core.ids)
    get_patient_history = providers.Singleton(GetPatientHistory, uow)
    # practitioners and resources
    create_practitioner = providers.Singleton(CreatePractitioner, uow, core.clock, core.ids)
    get_practitioner = providers.Singleton(GetPractitioner, uow)
    list_practitioners = providers.Singleton(ListPractitioners, uow)
    update_practitioner = providers.Singleton(UpdatePractitioner, uow, core.clock)
    set_working_hours = providers.Singleton(SetWorkingHours, uow, core.clock)
    add_time_off = providers.Singleton(AddTimeOff, uow, core.ids)
    get_time_off = providers.Singleton(GetTimeOff, uow)
    list_time_off = providers.Singleton(ListTimeOff, uow)
    remove_time_off = providers.Singleton(RemoveTimeOff, uow)
    create_holiday = providers.Singleton(CreateHoliday, uow, core.ids)
    get_holiday = providers.Singleton(GetHoliday, uow)
    list_holidays = providers.Singleton(ListHolidays, uow)
    delete_holiday = providers.Singleton(DeleteHoliday, uow)
    create_room = providers.Singleton(CreateRoom, uow, core.clock, core.ids)
    get_room = providers.Singleton(GetRoom, uow)
    list_rooms = providers.Singleton(ListRooms, uow)
    update_room = providers.Singleton(UpdateRoom, uow, core.clock)
    create_appointment_type = providers.Singleton(CreateAppointmentType, uow, core.clock, core.ids)
    get_appointment_type = providers.Singleton(GetAppointmentType, uow)
    list_appointment_types = providers.Singleton(ListAppointmentTypes, uow)
    update_appointment_type = providers.Singleton(UpdateAppointmentType, uow, core.clock)
    book_appointment = providers.Singleton(BookAppointment, uow, core.clock, core.ids, gateways.recurrence)
    get_appointment = providers.Singleton(GetAppointment, uow)
    list_appointments = providers.Singleton(ListAppointments, uow)
    change_appointment_status = providers.Singleton(ChangeAppointmentStatus, uow, core.clock)
    cancel_appointment = providers.Singleton(CancelAppointment, uow, core.clock, gateways.notifier)
    reschedule_appointment = providers.Singleton(RescheduleAppointment, uow, core.clock, core.ids, gateways.notifier)
    search_availability = providers.Singleton(SearchAvailability, uow, core.clock)
    join_waitlist = providers.Singleton(JoinWaitlist, uow, core.clock, core.ids)
    list_waitlist = providers.Singleton(ListWaitlist, uow)
    leave_waitlist = providers.Singleton(LeaveWaitlist, uow, core.clock)
    send_reminders = providers.Singleton(SendReminders, uow, core.clock, gateways.notifier)
    get_appointment_calendar = providers.Singleton(GetAppointmentCalendar, uow)
    create_calendar_feed = providers.Singleton(CreateCalendarFeed, uow, core.clock, core.ids, gateways.secrets)
    revoke_calendar_feed = providers.Singleton(RevokeCalendarFeed, uow, core.clock)
    read_calendar_feed = providers.Singleton(ReadCalendarFeed, uow, core.clock)
    appointment_stats = providers.Singleton(AppointmentStats, uow)
    # clinical: consultations, templates, health metrics and reminders
    create_consultation = providers.Singleton(CreateConsultation, uow, core.clock, core.ids)
    get_consultation = providers.Singleton(GetConsultation, uow)
    list_consultations = providers.Singleton(ListConsultations, uow)
    update_consultation = providers.Singleton(UpdateConsultation, uow, core.clock)
    sign_consultation = providers.Singleton(SignConsultation, uow, core.clock, core.ids)
    add_addendum = providers.Singleton(AddAddendum, uow, core.clock, core.ids)
    create_consultation_template = providers.Singleton(CreateConsultationTemplate, uow, core.clock, core.ids)
    get_consultation_template = providers.Singleton(GetConsultationTemplate, uow)
    list_consultation_templates = providers.Singleton(ListConsultationTemplates, uow)
    update_consultation_template = providers.Singleton(UpdateConsultationTemplate, uow, core.clock)
    get_health_metrics = providers.Singleton(GetHealthMetrics, uow, core.clock)
    create_health_reminder = providers.Singleton(CreateHealthReminder, uow, core.clock, core.ids)
    list_health_reminders = providers.Singleton(ListHealthReminders, uow)
    get_health_reminder = providers.Singleton(GetHealthReminder, uow)
    cancel_health_reminder = providers.Singleton(CancelHealthReminder, uow, core.clock)
    send_health_reminders = providers.Singleton(SendHealthReminders, uow, core.clock, gateways.notifier)
    # prescribing
    create_prescription = providers.Singleton(CreatePrescription, uow, core.clock, core.ids, gateways.formulary)
    update_prescription = providers.Singleton(UpdatePrescription, uow, core.clock, gateways.formulary)
    validate_prescription = providers.Singleton(ValidatePrescription, uow, core.clock, gateways.formulary)
    sign_prescription = providers.Singleton(
        SignPrescription, uow, core.clock, gateways.formulary, gateways.verification_codes
    )
    cancel_prescription = providers.Singleton(CancelPrescription, uow, core.clock)
    renew_prescription = providers.Singleton(RenewPrescription, uow, core.clock, core.ids, gateways.formulary)
    get_prescription = providers.Singleton(GetPrescription, uow, core.clock, gateways.formulary)
    list_patient_prescriptions = providers.Singleton(ListPatientPrescriptions, uow)
    dispense_prescription = providers.Singleton(DispensePrescription, uow, core.clock)
    expire_prescriptions = providers.Singleton(ExpirePrescriptions, uow, core.clock)
    print_prescription = providers.Singleton(
        PrintPrescription, uow, gateways.formulary, gateways.prescription_renderer, gateways.verification_codes
    )
    verify_prescription = providers.Singleton(VerifyPrescription, uow, core.clock, gateways.formulary)
    search_formulary = providers.Singleton(SearchFormulary, uow, gateways.formulary)
    get_formulary_medication = providers.Singleton(GetFormularyMedication, uow, gateways.formulary)
    create_prescription_template = providers.Singleton(CreatePrescriptionTemplate, uow, core.clock, core.ids)
    list_prescription_templates = providers.Singleton(ListPrescriptionTemplates, uow)
    get_prescription_template = providers.Singleton(GetPrescriptionTemplate, uow)
    delete_prescription_template = providers.Singleton(DeletePrescriptionTemplate, uow)
    prescribe_from_template = providers.Singleton(PrescribeFromTemplate, uow, core.clock, core.ids, gateways.formulary)
    seed_demo_practitioners = providers.Singleton(
        SeedDemoPractitioners, uow, create_practitioner, create_room, create_appointment_type
    )
    seed_demo_patients = providers.Singleton(
        SeedDemoPatients, uow, core.clock, create_patient, add_allergy, add_condition, add_medication, add_measurement
    )
    seed_demo_appointments = providers.Singleton(SeedDemoAppointments, uow, core.clock, book_appointment)
    seed_demo_clinical = providers.Singleton(
        SeedDemoClinical, uow, core.clock, create_consultation_template, create_consultation, sign_consultation
    )
    seed_demo = providers.Singleton(
        SeedDemo,
        uow,
        create_organization,
        create_user,
        practitioners=seed_demo_practitioners,
        patients=seed_demo_patients,
        appointments=seed_demo_appointments,
        clinical=seed_demo_clinical,
    )

    # the audit trail: queries, exports, access logs, checkpoints, verification, disposal
    list_audit_events = providers.Singleton(ListAuditEvents, uow)
    export_audit_events = providers.Singleton(ExportAuditEvents, uow)
    get_access_log = providers.Singleton(GetAccessLog, uow)
    create_audit_checkpoints = providers.Singleton(
        CreateCheckpoints, uow, core.clock, gateways.checkpoint_signer, gateways.checkpoint_archive
    )
    verify_audit_trail = providers.Singleton(
        VerifyAuditTrail,
        uow,
        gateways.checkpoint_signer,
        gateways.checkpoint_archive,
        gateways.audit_verification_keys,
    )
    dispose_audit_events = providers.Singleton(DisposeAuditEvents, uow)
    # compliance: legal holds, the retention policy, the retention engine
    place_legal_hold = providers.Singleton(PlaceLegalHold, uow, core.clock, core.ids)
    get_legal_hold = providers.Singleton(GetLegalHold, uow)
    list_legal_holds = providers.Singleton(ListLegalHolds, uow)
    release_legal_hold = providers.Singleton(ReleaseLegalHold, uow, core.clock)
    get_retention_policy = providers.Singleton(GetRetentionPolicy, uow)
    update_retention_policy = providers.Singleton(UpdateRetentionPolicy, uow, core.clock)
    plan_retention = providers.Singleton(PlanRetention, uow, core.clock)
    run_retention = providers.Singleton(
        RunRetention, uow, core.clock, core.ids, gateways.retention_archive, dispose_audit_events
    )

    # GDPR: a patient's data export and erasure
    request_patient_export = providers.Singleton(RequestPatientExport, uow, core.clock, core.ids, gateways.blob_store)
    get_patient_export = providers.Singleton(GetPatientExport, uow)
    download_patient_export = providers.Singleton(DownloadPatientExport, uow, core.clock, gateways.blob_store)
    erase_patient = providers.Singleton(ErasePatient, uow, core.clock, core.ids)
    anonymise_organization = providers.Singleton(AnonymiseOrganization, uow, gateways.anonymised_copy)


class Container(containers.DeclarativeContainer):
    settings = providers.Dependency(instance_of=Settings)
    secret_key = providers.Dependency(instance_of=bytes)
    database_url = providers.Dependency(instance_of=str)

    core = providers.Container(Core, settings=settings, secret_key=secret_key, database_url=database_url)
    gateways = providers.Container(Gateways, core=core)
    use_cases = providers.Container(UseCases, core=core, gateways=gateways)


def build_container(
    settings: Settings,
    *,
    database_url: str,
    secret_key: bytes | None = None,
    allow_generated_key: bool = False,
) -> Container:
    """Wire the container. ``secret_key`` is resolved lazily when not given, so commands that
    never sign anything run without one."""
    container = Container(settings=settings, database_url=database_url)
    if secret_key is not None:
        container.secret_key.override(providers.Object(secret_key))
    else:
        container.secret_key.override(
            providers.Singleton(resolve_secret_key, settings, allow_generated=allow_generated_key)
        )
    return container
