"""Where a health reminder goes: the channel asked for, else the patient's preferred one,
always to the patient's own contact on record."""

from __future__ import annotations

from medcore.domain.notifications.ports import Channel
from medcore.domain.patients.patient import Patient
from medcore.domain.patients.values import ContactChannel


def channel_for(patient: Patient, asked: Channel | None) -> Channel | None:
    """The channel to use now; None when the patient cannot be reached on it."""
    if asked is None:
        if patient.preferred_channel is ContactChannel.EMAIL:
            asked = Channel.EMAIL
        elif patient.preferred_channel is ContactChannel.SMS:
            asked = Channel.SMS
        else:
            return None
    return asked if address_for(patient, asked) else None


def address_for(patient: Patient, channel: Channel) -> str | None:
    return patient.email if channel is Channel.EMAIL else patient.phone
