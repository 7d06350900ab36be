"""docs/configuration.md lists every setting with its true default."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec

from medcore.settings import PREFIX, Settings

DOC = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def _documented() -> dict[str, str]:
    rows = re.findall(r"^\| `(MEDCORE_\w+)` \| (.+?) \|", DOC.read_text(), flags=re.MULTILINE)
    return dict(rows)


def test_every_setting_is_documented_and_nothing_else() -> None:
    names = {PREFIX + field.name.upper() for field in msgspec.structs.fields(Settings)}
    assert set(_documented()) == names


def test_documented_defaults_match_the_code() -> None:
    defaults = Settings()
    documented = _documented()
    for field in msgspec.structs.fields(Settings):
        value = getattr(defaults, field.name)
        cell = documented[PREFIX + field.name.upper()]
        if value is None or value == ():
            assert cell.startswith(("unset", "empty", "`MEDCORE_")), (field.name, cell)
        elif isinstance(value, bool):
            assert cell == f"`{str(value).lower()}`", (field.name, cell)
        else:
            assert cell == f"`{value}`", (field.name, cell)
