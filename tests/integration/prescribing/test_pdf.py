"""The printed prescription: a real PDF from weasyprint, read back with pypdf (pages, text)
and looked at as an image with pypdfium2 (A4, not blank, ink where the header and the
text are)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pypdf
import pypdfium2
import pytest
from PIL import Image

from medcore.adapters.postgres.database import SavepointDatabase
from medcore.container import Container
from tests.integration.helpers import Client
from tests.integration.prescribing.support import Clinic, amoxicillin, open_clinic

A4_RATIO = 297 / 210


@pytest.fixture
async def clinic(client: Client, container: Container, db: SavepointDatabase) -> Clinic:
    return await open_clinic(client, container)


def ink(image: Image.Image, box: tuple[int, int, int, int]) -> float:
    """The share of pixels in ``box`` that are clearly not white paper."""
    region = image.crop(box).convert("L")
    histogram = region.histogram()
    dark = sum(histogram[:200])
    return dark / max(1, region.width * region.height)


async def printed(clinic: Clinic, prescription_id: str) -> bytes:
    response = await clinic.get(f"/api/v1/prescriptions/{prescription_id}/pdf")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == f'inline; filename="prescription-{prescription_id}.pdf"'
    assert response.content.startswith(b"%PDF-")
    return bytes(response.content)


async def test_one_page_with_everything_a_pharmacist_needs(clinic: Clinic, tmp_path: Path) -> None:
    prescription = await clinic.signed(
        amoxicillin(),
        amoxicillin(
            medication_code="N02BE01",
            dose_amount=1,
            dose_unit="g",
            frequency_per_day=None,
            as_needed_max_per_day=4,
            duration_days=5,
            quantity=20,
            instructions="At least 4 hours between doses.",
        ),
    )
    content = await printed(clinic, prescription["id"])

    reader = pypdf.PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    text = " ".join((reader.pages[0].extract_text() or "").split())
    organization = (await clinic.get("/api/v1/organizations/current", clinic.owner)).json()["name"]
    valid_until = prescription["valid_until"]  # ISO; printed as "13 June 2027"
    year, month, day = (int(part) for part in valid_until.split("-"))
    months = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ]
    for expected in (
        organization,
        "Claire Martin",
        "General practice",
        "Licence: RPPS 10001234567",
        "Jean Dupont",
        "Born 12 April 1968",
        "Amoxicillin 500 mg by mouth three times a day for 7 days; quantity 21; no refill",
        "Paracetamol 1 g by mouth when needed, at most four times a day for 5 days; quantity 20; no refill. "
        "At least 4 hours between doses.",
        "VALID UNTIL",
        f"{day} {months[month - 1]} {year}",
        "Page 1 of 1",
        f"Prescription {prescription['id']}",
    ):
        assert expected in text, f"{expected!r} not in {text!r}"
    codes = set(re.findall(r"\b[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}\b", text))
    assert len(codes) == 1
    assert f"/api/v1/prescriptions/verify/{codes.pop()}" in text

    document = pypdfium2.PdfDocument(content)
    try:
        page = document[0]
        width_pt, height_pt = page.get_size()
        assert abs(height_pt / width_pt - A4_RATIO) < 0.01
        assert abs(width_pt - 595.3) < 1.5, "A4 is 210 mm (595 pt) wide"
        image = page.render(scale=1).to_pil()
    finally:
        document.close()
    image.save(tmp_path / "prescription-page-1.png")
    width, height = image.size
    assert abs(height / width - A4_RATIO) < 0.01
    assert 0.02 < ink(image, (0, 0, width, height)) < 0.5, "neither blank nor a dark block"
    assert ink(image, (0, 0, width, height // 8)) > 0.3, "the organization header band is printed in colour"
    assert ink(image, (0, height // 8, width, height // 2)) > 0.01, "prescriber, patient, dates and items"
    assert ink(image, (0, height * 19 // 20, width, height)) > 0.0005, "the page number in the bottom margin"
    assert ink(image, (0, height * 3 // 4, width, height * 19 // 20)) < 0.001, "the rest of the page is paper"


async def test_a_long_prescription_runs_onto_numbered_pages(clinic: Clinic) -> None:
    note = "Shake well before use; take after meals with a full glass of water; do not drive if drowsy. " * 4
    items = [amoxicillin(instructions=note.strip()[:480]) for _ in range(20)]
    draft = await clinic.drafted(*items)
    # Twenty courses of the same antibiotic are duplicates of each other: acknowledge them.
    acks = [(f["code"], i) for f in draft["findings"] for i in f["items"] if f["severity"] == "warning"]
    response = await clinic.sign(draft["id"], *acks)
    assert response.status_code == 200, response.text

    reader = pypdf.PdfReader(io.BytesIO(await printed(clinic, draft["id"])))
    pages = len(reader.pages)
    assert pages >= 2
    texts = [" ".join((page.extract_text() or "").split()) for page in reader.pages]
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} of {pages}" in text
    assert sum(text.count("Amoxicillin 500 mg") for text in texts) == 20
