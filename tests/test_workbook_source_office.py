"""The visit workbook in LibreOffice: it opens, keeps its drop-downs, and comes back
as an .ods that visitplan reads. Slow (an office suite starts): `pytest -m slow`."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from visitplan.load import load_visit

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "italy-study-visit-2026"

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed"),
]


def office(folder: Path, target: str, source: Path) -> Path:
    subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation=file://{folder / 'profile'}",
            "--convert-to",
            target,
            "--outdir",
            str(folder),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    return folder / f"{source.stem}.{target}"


def test_libreoffice_keeps_the_drop_downs_and_its_ods_reads_as_the_same_visit(
    run: Any, tmp_path: Path
) -> None:
    for image in EXAMPLE.glob("*.png"):
        shutil.copy(image, tmp_path)
    workbook = tmp_path / "visit.xlsx"
    assert run("convert", EXAMPLE / "visit.yaml", workbook).exit_code == 0
    ods = office(tmp_path, "ods", workbook)
    content = zipfile.ZipFile(ods).read("content.xml").decode("utf-8")
    lists = re.findall(r'table:condition="of:cell-content-is-in-list\(\[([^\]]+)\]\)"', content)
    assert any("$Locais.$A$3" in source for source in lists)  # venue ids, from their sheet
    assert any("$Listas." in source for source in lists)  # kinds, levels, yes/no, countries
    assert (
        load_visit(ods).visit.model_dump() == load_visit(EXAMPLE / "visit.yaml").visit.model_dump()
    )
    checked = run("check", ods)
    assert checked.exit_code == 0, checked.output


def test_libreoffice_prints_every_sheet(run: Any, tmp_path: Path) -> None:
    workbook = tmp_path / "visit.xlsx"
    assert run("convert", EXAMPLE / "visit.yaml", workbook).exit_code == 0
    pdf = office(tmp_path, "pdf", workbook)
    assert pdf.read_bytes().startswith(b"%PDF")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    for heading in ("Instruções", "Fuso horário", "d4-train"):
        assert heading in text
