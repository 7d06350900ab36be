"""Printed prescriptions: an HTML template (``templates/prescription.html``) rendered to PDF
by weasyprint.

weasyprint takes over a second to import, so it is imported on first use, not when the
application starts. A render costs tens of milliseconds of CPU (with HarfBuzz's subset
library installed; see the README): callers run it in a worker thread.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from medcore.domain.prescribing.printable import PrintablePrescription

_environment = Environment(
    loader=PackageLoader("medcore.adapters.pdf", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def long_date(day: date) -> str:
    """``15 March 2027``: no day/month order to misread across countries."""
    return f"{day.day} {day:%B %Y}"


class WeasyPrintPrescriptionRenderer:
    def __init__(self, public_url: str) -> None:
        self._public_url = public_url.rstrip("/")

    def verification_url(self, code: str) -> str:
        return f"{self._public_url}/api/v1/prescriptions/verify/{code}"

    def html(self, prescription: PrintablePrescription) -> str:
        context: dict[str, Any] = {
            "p": prescription,
            "issued_on": long_date(prescription.issued_on),
            "valid_until": long_date(prescription.valid_until),
            "birth_date": long_date(prescription.patient_birth_date),
            "specialties": ", ".join(s.replace("_", " ").capitalize() for s in prescription.prescriber_specialties),
            "verification_url": self.verification_url(prescription.verification_code),
        }
        return _environment.get_template("prescription.html").render(context)

    def render(self, prescription: PrintablePrescription) -> bytes:
        from weasyprint import HTML  # slow to import: only when a PDF is asked for

        pdf: bytes = HTML(string=self.html(prescription)).write_pdf()
        return pdf
