"""Fuzzing the importer with CSVs that carry byte-order marks and broken bytes.

Property: whatever the bytes, the CLI exits 0, 1 or 2, prints no traceback, and when
it refuses the file (exit 2) names it; what it takes holds no control character.
"""

from __future__ import annotations

import codecs
import csv
import io
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from visitplan.cli import app

RUNNER = CliRunner()
BOMS = [b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE]
ENCODINGS = ["utf-8", "utf-16-le", "utf-16-be", "latin-1", "cp1252", "utf-32-le"]
CELLS = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12
) | st.sampled_from(["Ελλάδα", "Ναι", "Україна", "نعم", "=1+1", "\x00", "\x1b[2J", "\ufffe"])


@st.composite
def broken_csvs(draw: st.DrawFn) -> bytes:
    rows = [["Name", "Email", "Country", "Consent"]]
    rows += draw(st.lists(st.lists(CELLS, min_size=1, max_size=5), max_size=6))
    stream = io.StringIO()
    csv.writer(stream).writerows(rows)
    body = stream.getvalue().encode(draw(st.sampled_from(ENCODINGS)), errors="replace")
    data = bytearray(draw(st.sampled_from(BOMS)) + body)
    for _ in range(draw(st.integers(0, 3))):  # broken bytes anywhere
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        data[at : at + 1] = draw(st.binary(min_size=0, max_size=3))
    if draw(st.booleans()) and data:  # cut off anywhere
        data = data[: draw(st.integers(1, len(data)))]
    return bytes(data)


@given(broken_csvs())
def test_csvs_with_boms_and_broken_bytes_never_crash(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path = tmp_path_factory.mktemp("csv") / "registrations.csv"
    path.write_bytes(data)
    result = RUNNER.invoke(
        app, ["participants", "import", str(path), "--format", "json"], catch_exceptions=False
    )
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        assert "registrations.csv" in result.stderr
        return
    account = json.loads(result.stdout)
    taken = json.dumps(account["participants"], ensure_ascii=False)
    assert not any(c in taken for c in "\x00\x1b\x0b\x0c\ufffe")
    assert (
        len(account["participants"]) + len(account["merged"]) + len(account["rejected"])
        == account["rows_read"]
    )
