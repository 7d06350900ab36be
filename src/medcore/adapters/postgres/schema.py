"""The whole schema: importing this module declares every context's tables on ``metadata``.

Alembic's environment and the migration test use it; each context's tables live in its
own module.
"""

from __future__ import annotations

from medcore.adapters.postgres import (
    audit_tables,  # signed audit checkpoints
    clinical_tables,  # consultations, addenda, templates, health reminders and deliveries
    compliance_tables,  # legal holds, retention runs and their ledger
    gdpr_tables,  # patients' data exports and erasures
    patient_tables,  # patients, medical history, versions
    practitioner_tables,  # practitioners, time off, holidays, rooms, appointment types
    prescribing_tables,  # prescriptions, their items and acknowledgements, templates
    scheduling_tables,  # appointments, reminders, waitlist, calendar feeds
    tables,  # identity, audit, platform
)
from medcore.adapters.postgres.metadata import metadata

__all__ = [
    "audit_tables",
    "clinical_tables",
    "compliance_tables",
    "gdpr_tables",
    "metadata",
    "patient_tables",
    "practitioner_tables",
    "prescribing_tables",
    "scheduling_tables",
    "tables",
]
