"""The organization's retention settings as stored in ``organizations.settings`` (JSON)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from medcore.domain.compliance.retention import (
    Anchor,
    ClassPolicy,
    Disposal,
    Preset,
    RecordClass,
    RetentionSettings,
)


def retention_to_json(settings: RetentionSettings) -> dict[str, Any]:
    return {
        "preset": settings.preset.value,
        "overrides": {
            record_class.value: {
                "years": policy.years,
                "months": policy.months,
                "anchor": policy.anchor.value,
                "action": policy.action.value,
                "min_age_years": policy.min_age_years,
            }
            for record_class, policy in settings.overrides
        },
    }


def retention_from_json(data: Mapping[str, Any]) -> RetentionSettings:
    """Tolerant of what older rows hold: a missing group is the default preset."""
    overrides = tuple(
        (
            RecordClass(name),
            ClassPolicy(
                years=int(policy["years"]),
                anchor=Anchor(policy["anchor"]),
                action=Disposal(policy["action"]),
                min_age_years=None if policy.get("min_age_years") is None else int(policy["min_age_years"]),
                months=int(policy.get("months", 0)),
            ),
        )
        for name, policy in (data.get("overrides") or {}).items()
    )
    return RetentionSettings(preset=Preset(data.get("preset", Preset.GDPR_MINIMAL.value)), overrides=overrides)
