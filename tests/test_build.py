"""The build: all or nothing, with a manifest that describes what it wrote."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import ClassVar

import pytest

from conftest import MINIMAL, write
from visitplan.build import build
from visitplan.exporters import BuildContext, all_exporters
from visitplan.load import load_visit
from visitplan.model import Visit


class Exploding:
    id: ClassVar[str] = "exploding"
    name: ClassVar[str] = "Exploding exporter"

    def render(self, visit: Visit, context: BuildContext) -> list[Path]:
        half = context.path("private", "half-written.txt")
        half.write_text("partial", encoding="utf-8")
        raise OSError(28, "No space left on device")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_failed_build_leaves_previous_output_untouched(tmp_path: Path) -> None:
    loaded = load_visit(write(tmp_path, MINIMAL))
    out = tmp_path / "build"
    build(loaded, out)
    before = snapshot(out)
    state = (tmp_path / ".visitplan-state.json").read_bytes()
    with pytest.raises(OSError, match="No space"):
        build(loaded, out, exporters=[*all_exporters(), Exploding()])
    assert snapshot(out) == before
    assert (tmp_path / ".visitplan-state.json").read_bytes() == state
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert leftovers == [".visitplan-state.json"]


def test_interrupted_swap_is_recovered_by_the_next_build(tmp_path: Path) -> None:
    loaded = load_visit(write(tmp_path, MINIMAL))
    out = tmp_path / "build"
    build(loaded, out)
    out.rename(tmp_path / ".build.old-abc")  # as if killed between the two renames
    (tmp_path / ".build.tmp-xyz").mkdir()
    build(loaded, out)
    assert (out / "manifest.json").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".visitplan-state.json",
        "build",
        "visit.yaml",
    ]


def test_manifest_lists_outputs_with_sizes_and_checksums(tmp_path: Path) -> None:
    visit_file = write(tmp_path, MINIMAL)
    result = build(load_visit(visit_file), tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == result.manifest
    for entry in manifest["outputs"]:
        data = (tmp_path / "out" / entry["path"]).read_bytes()
        assert entry["bytes"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    assert manifest["visit"]["sha256"] == hashlib.sha256(visit_file.read_bytes()).hexdigest()
    assert manifest["counts"]["sessions"] == 1


def test_markdown_agenda_escapes_user_text(tmp_path: Path) -> None:
    text = MINIMAL.replace("title: Welcome", 'title: "<script>x</script> [link](http://evil) | *"')
    build(load_visit(write(tmp_path, text)), tmp_path / "out")
    agenda = (tmp_path / "out" / "private" / "agenda.md").read_text(encoding="utf-8")
    assert "<script>" not in agenda
    assert "[link](" not in agenda
    assert r"\<script\>x\</script\> \[link\](http://evil) \| \*" in agenda
