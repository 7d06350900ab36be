"""The whole schema: importing this module declares every context's tables on ``metadata``.

Alembic's environment and the migration test use it; each context's tables live in its
own module.
"""

from __future__ import annotations

from medcore.adapters.postgres import (
    patient_tables,  # patients, medical history, versions
    practitioner_tables,  # practitioners, time off, holidays, rooms, appointment types
    scheduling_tables,  # appointments, reminders, waitlist, calendar feeds
    tables,  # identity, audit, platform
)
from medcore.adapters.postgres.metadata import metadata

__all__ = ["metadata", "patient_tables", "practitioner_tables", "scheduling_tables", "tables"]
