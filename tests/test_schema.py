"""`visitplan schema`: a valid JSON Schema that every example satisfies."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from conftest import EXAMPLE_NAMES, EXAMPLES, Run

# How an editor's YAML 1.2 language server types plain scalars (the core schema).
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")


def yaml12(node: yaml.Node) -> Any:
    if isinstance(node, yaml.MappingNode):
        return {k.value: yaml12(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [yaml12(item) for item in node.value]
    assert isinstance(node, yaml.ScalarNode)
    value = node.value
    if node.style is not None:
        return value
    if value in ("", "~", "null", "Null", "NULL"):
        return None
    if value in ("true", "True", "TRUE", "false", "False", "FALSE"):
        return value.lower() == "true"
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value):
        return float(value)
    return value


def as_editor_sees(path: Path) -> Any:
    node = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    assert node is not None
    return yaml12(node)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    from visitplan.schema import visit_schema

    return visit_schema()


def test_schema_command_prints_valid_json_schema(run: Run) -> None:
    result = run("schema")
    assert result.exit_code == 0
    printed = json.loads(result.stdout)
    Draft202012Validator.check_schema(printed)
    assert printed["properties"]["visit"]["$ref"].endswith("VisitDetails")


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_example_validates_against_the_schema(name: str, schema: dict[str, Any]) -> None:
    document = as_editor_sees(EXAMPLES / name / "visit.yaml")
    errors = list(Draft202012Validator(schema).iter_errors(document))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_an_unknown_key_fails_against_the_schema(name: str, schema: dict[str, Any]) -> None:
    document = as_editor_sees(EXAMPLES / name / "visit.yaml")
    document["sessions"][0]["venu"] = "somewhere"
    errors = list(Draft202012Validator(schema).iter_errors(document))
    assert any("venu" in e.message for e in errors)


def test_field_descriptions_reach_the_schema(schema: dict[str, Any]) -> None:
    session = schema["$defs"]["Session"]["properties"]
    assert "Stable id" in session["id"]["description"]
    assert "meeting" in session["kind"]["description"]
