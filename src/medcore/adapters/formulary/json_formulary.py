"""The shipped formulary (formulary.json, sources in docs/formulary.md), indexed in memory."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from functools import cache
from importlib import resources
from itertools import combinations
from typing import Any

from medcore.domain.prescribing.formulary import (
    Contraindication,
    ContraindicationKind,
    Interaction,
    InteractionSeverity,
    Medication,
)

_RANK = {InteractionSeverity.CONTRAINDICATED: 0, InteractionSeverity.MAJOR: 1, InteractionSeverity.MODERATE: 2}


def _form(form: dict[str, Any]) -> str:
    return f"{form['strength']:g} {form['unit']} {form['form']}"


def _medication(raw: dict[str, Any]) -> Medication:
    return Medication(
        code=raw["code"],
        name=raw["name"],
        ingredients=tuple(raw["ingredients"]),
        therapeutic_class=raw["therapeutic_class"],
        groups=tuple(raw.get("groups", ())),
        cross_sensitivity_groups=tuple(raw.get("cross_sensitivity_groups", ())),
        routes=tuple(raw.get("routes", ())),
        dose_unit=raw["dose_unit"],
        adult_max_daily_dose=raw.get("adult_max_daily_dose"),
        paediatric_max_daily_dose_per_kg=raw.get("paediatric_max_daily_dose_per_kg"),
        paediatric_max_daily_dose=raw.get("paediatric_max_daily_dose"),
        min_age_years=raw.get("min_age_years"),
        controlled_schedule=raw.get("controlled_schedule"),
        contraindications=tuple(
            Contraindication(
                kind=ContraindicationKind(c["kind"]),
                severity=c["severity"],
                text=c["text"],
                icd10_prefixes=tuple(c.get("icd10_prefixes", ())),
                egfr_below=c.get("egfr_below"),
            )
            for c in raw.get("contraindications", ())
        ),
        forms=tuple(_form(f) for f in raw.get("forms", ())),
    )


def _selects(selector: str, medication: Medication) -> bool:
    kind, _, value = selector.partition(":")
    if kind == "ingredient":
        return value in medication.ingredients
    if kind == "group":
        return value in medication.groups
    if kind == "atc":
        return medication.code.startswith(value)
    raise ValueError(f"unknown selector {selector!r}")


class JsonFormulary:
    """Lookups by code, name and class; interactions pre-computed for every pair."""

    def __init__(self, data: dict[str, Any]) -> None:
        self._version = str(data.get("dataset_version", "unknown"))
        self._medications = {m.code: m for m in (_medication(raw) for raw in data["medications"])}
        self._by_name: dict[str, Medication] = {}
        for medication in self._medications.values():
            self._by_name.setdefault(medication.name.lower(), medication)
        for medication in self._medications.values():
            if len(medication.ingredients) == 1:
                self._by_name.setdefault(medication.ingredients[0].lower(), medication)
        self._groups: dict[str, str] = dict(data.get("groups", {}))
        # Every spelling that names a group ("nsaids", "nsaid", "beta lactam", its label), so
        # that the allergy rule's lookups cost a dictionary access each.
        self._group_spellings: dict[str, set[str]] = defaultdict(set)
        self._group_labels: dict[str, set[str]] = defaultdict(set)
        for group, label in self._groups.items():
            spaced = group.replace("_", " ")
            for spelling in (group, group.rstrip("s"), spaced, spaced.rstrip("s")):
                self._group_spellings[spelling].add(group)
            self._group_labels[label.lower()].add(group)
        self._members: dict[str, list[Medication]] = defaultdict(list)
        for medication in self._medications.values():
            for group in medication.groups:
                self._members[group].append(medication)
        self._pairs: dict[frozenset[str], Interaction] = {}
        rules = [(r["a"], r["b"], InteractionSeverity(r["severity"]), r["text"]) for r in data.get("interactions", ())]
        for first, second in combinations(sorted(self._medications.values(), key=lambda m: m.code), 2):
            for a, b, severity, text in rules:
                if (_selects(a, first) and _selects(b, second)) or (_selects(a, second) and _selects(b, first)):
                    key = frozenset((first.code, second.code))
                    current = self._pairs.get(key)
                    if current is None or _RANK[severity] < _RANK[current.severity]:
                        self._pairs[key] = Interaction(severity, text)

    @property
    def version(self) -> str:
        return self._version

    def medication(self, code: str) -> Medication | None:
        return self._medications.get(code.strip().upper())

    def by_name(self, name: str) -> Medication | None:
        return self._by_name.get(name.strip().lower())

    def interaction(self, first: Medication, second: Medication) -> Interaction | None:
        if first.code == second.code:
            return None
        return self._pairs.get(frozenset((first.code, second.code)))

    def group_members(self, group: str) -> Sequence[Medication]:
        return tuple(self._members.get(group, ()))

    def with_code_prefix(self, prefix: str) -> Sequence[Medication]:
        prefix = prefix.strip().upper()
        return tuple(m for m in self._medications.values() if m.code.startswith(prefix)) if prefix else ()

    def groups_named(self, text: str) -> frozenset[str]:
        wanted = text.strip().lower()
        if not wanted:
            return frozenset()
        return frozenset(
            self._group_spellings.get(wanted, set())
            | self._group_spellings.get(wanted.rstrip("s"), set())
            | self._group_labels.get(wanted, set())
        )

    def search(self, query: str, limit: int) -> Sequence[Medication]:
        wanted = query.strip().lower()
        if not wanted:
            return ()

        def rank(m: Medication) -> tuple[int, str]:
            name = m.name.lower()
            if m.code.lower().startswith(wanted) or name.startswith(wanted):
                return (0, name)
            return (1, name)

        matches = [
            m
            for m in self._medications.values()
            if m.code.lower().startswith(wanted) or wanted in m.name.lower() or any(wanted in i for i in m.ingredients)
        ]
        return tuple(sorted(matches, key=rank)[:limit])

    def all(self) -> Sequence[Medication]:
        return tuple(sorted(self._medications.values(), key=lambda m: m.code))


@cache
def shipped_formulary() -> JsonFormulary:
    text = resources.files("medcore.adapters.formulary").joinpath("formulary.json").read_text(encoding="utf-8")
    return JsonFormulary(json.loads(text))
