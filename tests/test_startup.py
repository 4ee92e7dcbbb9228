"""`visitplan --help` stays instant: no heavy library is imported to show it."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("openpyxl", "docx", "icalendar", "jinja2", "pydantic", "yaml", "ruamel")


def test_help_imports_no_heavy_library() -> None:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "visitplan", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = {
        line.split("|")[-1].strip().split(".")[0]
        for line in done.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert "typer" in imported
    assert not imported & set(HEAVY), imported & set(HEAVY)
