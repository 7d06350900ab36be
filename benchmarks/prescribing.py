"""Prescribing speed, in-process: validating a prescription and rendering its PDF.

    .venv/bin/python benchmarks/prescribing.py [--runs 5000] [--renders 30]

1. Validation (all seven rule families, unknown medications and routes) of a 10-item
   prescription for an adult with 20 active medications and 10 allergies, against the
   shipped formulary: p50 and p99 over ``--runs`` calls after a warm-up (target p99 <= 2 ms).
2. Rendering a signed 10-item prescription to PDF with weasyprint: p50 over ``--renders``
   renders after a warm-up that imports weasyprint and loads the fonts (target p50 <= 150 ms).

The figures and the machine go to docs/performance.md ("Prescribing").
"""

from __future__ import annotations

import argparse
import ctypes.util
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import date
from importlib.metadata import version
from uuid import UUID

from medcore.adapters.formulary.json_formulary import shipped_formulary
from medcore.adapters.pdf.prescriptions import WeasyPrintPrescriptionRenderer
from medcore.domain.prescribing.facts import AllergyFact, MedicationFact, PatientFacts, PrescriberFacts
from medcore.domain.prescribing.prescription import Frequency, FrequencyKind, PrescriptionItem
from medcore.domain.prescribing.printable import PrintablePrescription
from medcore.domain.prescribing.validation import validate
from medcore.domain.prescribing.wording import describe_item

FORMULARY = shipped_formulary()
TODAY = date(2027, 3, 15)

# Ten items of an ordinary (if busy) primary-care prescription, with an interaction, a
# duplicate and a dose to check among them.
ITEMS = [
    ("amoxicillin", 500, "mg", 3, 7),
    ("ibuprofen", 400, "mg", 3, 5),
    ("paracetamol", 1, "g", 4, 5),
    ("omeprazole", 20, "mg", 1, 28),
    ("atorvastatin", 20, "mg", 1, 28),
    ("lisinopril", 10, "mg", 1, 28),
    ("metformin", 500, "mg", 2, 28),
    ("sertraline", 50, "mg", 1, 28),
    ("levothyroxine", 100, "mcg", 1, 28),
    ("prednisolone", 30, "mg", 1, 5),
]
TAKING = [
    "warfarin", "amlodipine", "bisoprolol", "furosemide", "spironolactone", "simvastatin", "gliclazide",
    "sitagliptin", "citalopram", "mirtazapine", "gabapentin", "allopurinol", "tamsulosin", "finasteride",
    "montelukast", "cetirizine", "folic acid", "ferrous sulfate", "alendronic acid", "digoxin",
]  # fmt: skip
ALLERGIES = [
    AllergyFact("penicillin"),
    AllergyFact("Sulfonamides", "J01E"),
    AllergyFact("codeine"),
    AllergyFact("latex"),
    AllergyFact("peanut"),
    AllergyFact("macrolides"),
    AllergyFact("doxycycline", "J01AA02"),
    AllergyFact("NSAIDs"),
    AllergyFact("iodinated contrast"),
    AllergyFact("trimethoprim"),
]


def medication_code(name: str) -> str:
    medication = FORMULARY.by_name(name)
    assert medication is not None, name
    return medication.code


def prescription_items() -> list[PrescriptionItem]:
    return [
        PrescriptionItem(
            medication_code=medication_code(name),
            dose_amount=dose,
            dose_unit=unit,
            route="oral",
            frequency=Frequency(FrequencyKind.TIMES_PER_DAY, per_day),
            duration_days=days,
            quantity=per_day * days,
        )
        for name, dose, unit, per_day, days in ITEMS
    ]


def patient() -> PatientFacts:
    return PatientFacts(
        birth_date=date(1956, 9, 2),
        allergies=tuple(ALLERGIES),
        active_medications=tuple(MedicationFact(code=medication_code(name), name=name) for name in TAKING),
        conditions=("I10", "E11.9", "N18.3", "J45.909"),
        weight_kg=82.0,
        weight_measured_on=date(2027, 2, 1),
        egfr=52.0,
    )


def timed(work: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Milliseconds per call: wall-clock time, and this thread's CPU time (which a machine
    shared with other work does not inflate by preempting the process)."""
    wall, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter_ns(), time.thread_time_ns()
        work()
        cpu.append((time.thread_time_ns() - start_cpu) / 1e6)
        wall.append((time.perf_counter_ns() - start) / 1e6)
    return wall, cpu


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def machine() -> str:
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next(line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    subset = "installed" if ctypes.util.find_library("harfbuzz-subset") else "missing"
    return (
        f"{model}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, weasyprint {version('weasyprint')}, libharfbuzz-subset0 {subset}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5000)
    parser.add_argument("--renders", type=int, default=30)
    args = parser.parse_args()

    items, facts = prescription_items(), patient()
    prescriber = PrescriberFacts(can_sign=True, licence_valid=True, can_prescribe=True, controlled_substances=True)
    findings = validate(items, facts, prescriber, FORMULARY, TODAY)
    timed(lambda: validate(items, facts, prescriber, FORMULARY, TODAY), 200)  # warm-up
    validation, validation_cpu = timed(lambda: validate(items, facts, prescriber, FORMULARY, TODAY), args.runs)

    renderer = WeasyPrintPrescriptionRenderer("https://medcore.example")
    document = PrintablePrescription(
        prescription_id=UUID("01a200e9-d0a8-7add-8e23-fd82e2f78b21"),
        organization_name="Cabinet médical Saint-Martin",
        prescriber_name="Claire Martin",
        prescriber_licence="RPPS 10001234567",
        prescriber_specialties=("general_practice",),
        patient_name="Jean Dupont",
        patient_birth_date=date(1956, 9, 2),
        items=tuple(describe_item(item, FORMULARY.medication(item.medication_code).name) for item in items),  # type: ignore[union-attr]
        issued_on=TODAY,
        valid_until=date(2027, 6, 13),
        verification_code="K7QM-2XWD-P9RT-HB4C",
    )
    started = time.perf_counter()
    pages = renderer.render(document)  # imports weasyprint, loads fonts
    first = (time.perf_counter() - started) * 1000
    timed(lambda: renderer.render(document), 3)
    rendering, rendering_cpu = timed(lambda: renderer.render(document), args.renders)

    print(f"Machine: {machine()}")
    print("Load average while measuring: " + ", ".join(f"{load:.2f}" for load in os.getloadavg()))
    print(f"Validation: {len(items)} items, {len(TAKING)} active medications, {len(ALLERGIES)} allergies, "
          f"{len(findings)} findings; {args.runs} runs")  # fmt: skip
    print(f"  wall: p50 {percentile(validation, 0.5):.3f} ms  p99 {percentile(validation, 0.99):.3f} ms  "
          f"max {max(validation):.3f} ms  mean {statistics.fmean(validation):.3f} ms")  # fmt: skip
    print(f"  cpu:  p50 {percentile(validation_cpu, 0.5):.3f} ms  p99 {percentile(validation_cpu, 0.99):.3f} ms")
    print(f"PDF rendering: {len(items)} items, {len(pages)} bytes; {args.renders} renders after warm-up "
          f"(first render {first:.0f} ms)")  # fmt: skip
    print(f"  wall: p50 {percentile(rendering, 0.5):.1f} ms  p90 {percentile(rendering, 0.9):.1f} ms  "
          f"max {max(rendering):.1f} ms")  # fmt: skip
    print(f"  cpu:  p50 {percentile(rendering_cpu, 0.5):.1f} ms  p90 {percentile(rendering_cpu, 0.9):.1f} ms")


if __name__ == "__main__":
    main()
