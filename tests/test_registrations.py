"""Real registration sheets: merged cells, every script, group names, every row explained."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cldr import language_name
from conftest import EXAMPLES, Run
from data import real_sheets
from visitplan.load import load_visit
from visitplan.participants import ImportResult, import_participants
from visitplan.participants.importing import Fields


def by_name(result: ImportResult) -> dict[str, Fields]:
    return {str(r.fields["name"]): r.fields for r in result.taken}


def accounted(result: ImportResult) -> bool:
    return len(result.taken) + len(result.merged) + len(result.rejected) == result.rows_read


# -- merged cells ------------------------------------------------------------------------


def _shape_people() -> list[dict[str, object]]:
    from babel import Locale

    visit = load_visit(EXAMPLES / "shape-porto-lousada" / "visit.yaml").visit
    english = Locale("en").territories
    return [
        {
            "name": p.name,
            "organisation": p.organisation or "",
            "role": p.role or "",
            "country": p.country,
            "country_name": english[p.country or ""],
        }
        for p in visit.participants
    ]


@pytest.mark.parametrize("writer", [real_sheets.merged_xlsx, real_sheets.merged_ods])
def test_merged_country_blocks_are_filled_from_their_first_cell(
    tmp_path: Path, run: Run, writer: object
) -> None:
    people = _shape_people()
    path = writer(tmp_path, people)  # type: ignore[operator]
    result = run("participants", "import", path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    account = json.loads(result.stdout)
    taken = {p["name"]: p for p in account["participants"]}
    assert len(taken) == len(people) == 23
    for person in people:
        assert taken[person["name"]]["country"] == person["country"]
        assert taken[person["name"]].get("organisation") == person["organisation"]
    countries = len({p["country"] for p in people})
    assert f"Country: {countries} merged blocks filled" in result.stderr


# -- other scripts -----------------------------------------------------------------------


def test_a_greek_form_reads_like_a_latin_one(tmp_path: Path) -> None:
    result = import_participants(real_sheets.greek_form(tmp_path))
    assert accounted(result)
    assert (result.rows_read, len(result.taken), len(result.rejected)) == (4, 4, 0)
    assert result.unmapped == [] and result.warnings == []
    people = by_name(result)
    dimitris = people["Δημήτρης Ιωάννου"]
    assert dimitris["id"] == "dimitris-ioannou"
    assert dimitris["country"] == "GR"
    assert dimitris["public"] is True
    assert dimitris["languages"] == ["el", "en"]
    assert dimitris["phone"] == "+302103722001"  # local form, read with the country
    assert dimitris["interpretation"] == "el"
    eleni = people["Ελένη Παπαδοπούλου"]
    assert eleni["country"] == "GR" and "public" not in eleni  # "ΕΛΛΆΔΑ", "Όχι"
    assert eleni["interpretation"] == "en>el"
    giorgos = people["Γιώργος Νικολάου"]
    assert giorgos["country"] == "CY" and giorgos["languages"] == ["el", "fr"]
    assert "interpretation" not in giorgos  # "Καμία": none
    assert people["Maria Konstantinou"]["id"] == "maria-konstantinou"
    ids = [str(r.fields["id"]) for r in result.taken]
    assert len(set(ids)) == len(ids) and not any(i.startswith("participant") for i in ids)


def test_greek_headings_can_be_mapped_by_hand(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "odd.csv"
    path.write_text("Συμμετέχων/ουσα,Προέλευση\nΝίκος Παππάς,Ελλάδα\n", encoding="utf-8")
    result = run(
        "participants",
        "import",
        path,
        "--map",
        "Συμμετέχων/ουσα=name",
        "--map",
        "ΠΡΟΈΛΕΥΣΗ=country",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.stderr
    (person,) = json.loads(result.stdout)["participants"]
    assert person == {"id": "nikos-pappas", "name": "Νίκος Παππάς", "country": "GR"}


def test_a_ukrainian_form_reads_like_a_latin_one(tmp_path: Path) -> None:
    result = import_participants(real_sheets.ukrainian_form(tmp_path))
    assert accounted(result)
    assert (result.rows_read, len(result.taken)) == (3, 3)
    assert result.unmapped == []
    people = by_name(result)
    olena = people["Олена Коваль"]
    assert olena["id"] == "olena-koval"
    assert olena["country"] == "UA" and olena["languages"] == ["uk", "en"]
    assert olena["organisation"] == "Київська міська рада" and olena["public"] is True
    assert people["Андрій Шевченко"]["country"] == "PL"
    assert "public" not in people["Андрій Шевченко"]  # "Ні"
    assert people["Юлія Іваненко"]["public"] is True  # "так"


def test_an_arabic_form_reads_like_a_latin_one(tmp_path: Path) -> None:
    result = import_participants(real_sheets.arabic_form(tmp_path))
    assert accounted(result)
    assert (result.rows_read, len(result.taken)) == (3, 3)
    people = by_name(result)
    mohammed = people["محمد علي"]
    assert mohammed["country"] == "JO"
    assert mohammed["languages"] == ["ar", "en"]
    assert mohammed["public"] is True
    assert str(mohammed["id"]).isascii() and mohammed["id"] != "participant"
    assert people["فاطمة حسن"]["country"] == "EG" and "public" not in people["فاطمة حسن"]
    assert people["Omar Haddad"]["country"] == "LB"


@pytest.mark.slow
@pytest.mark.parametrize("locale", ["el", "ru", "ja", "zh", "ar"])
def test_unknown_region_in_any_language_is_never_a_country(
    tmp_path: Path, run: Run, locale: str
) -> None:
    from babel import Locale

    unknown = Locale.parse(locale).territories["ZZ"]
    path = tmp_path / "zz.csv"
    path.write_text(f"Name,Country\nAna Silva,{unknown}\n", encoding="utf-8")
    result = run("participants", "import", path, "--format", "json")
    assert result.exit_code == 1
    account = json.loads(result.stdout)
    (person,) = account["participants"]
    assert "country" not in person
    (warning,) = account["warnings"]
    assert (warning["row"], warning["column"]) == (2, "B")
    assert unknown in warning["message"] and warning["left_out"] is True
    assert "ZZ" not in result.stdout


# -- groups ------------------------------------------------------------------------------


def test_groups_match_by_id_name_and_alias_and_map_value(tmp_path: Path, run: Run) -> None:
    visit_file = tmp_path / "visit.yaml"
    visit_file.write_text(real_sheets.GROUPS_VISIT, encoding="utf-8")
    sheet = real_sheets.group_sheet(tmp_path)
    result = run(
        "participants",
        "import",
        sheet,
        "--visit",
        visit_file,
        "--map-value",
        "group:employment track=work",
        "--format",
        "json",
    )
    account = json.loads(result.stdout)
    groups = {p["name"]: p.get("group") for p in account["participants"]}
    assert groups == {
        "Ana Ribeiro": "housing",
        "Bruno Lima": "housing",
        "Carla Sousa": "housing",
        "Dieter Braun": "housing",
        "Elisa Costa": "housing",
        "Filipe Rocha": "work",
        "Gabi Horn": None,
    }
    (warning,) = account["warnings"]
    assert warning["row"] == 8 and warning["column"] == "C"
    assert "'Blue'" in warning["message"]
    assert "Group A – Housing (housing)" in warning["message"]
    assert "Group B – Employment (work)" in warning["message"]
    assert result.exit_code == 1  # one cell was left out
    written = load_visit(visit_file).visit
    assert {p.name: p.group for p in written.participants}["Gabi Horn"] is None
    assert len(written.participants) == 7


def test_the_template_offers_group_names(tmp_path: Path, run: Run) -> None:
    from openpyxl import load_workbook

    visit_file = tmp_path / "visit.yaml"
    visit_file.write_text(real_sheets.GROUPS_VISIT, encoding="utf-8")
    out = tmp_path / "registrations.xlsx"
    assert run("participants", "template", "-o", out, "--visit", visit_file).exit_code == 0
    workbook = load_workbook(out)
    listed = [c.value for c in workbook["Lists"]["C"] if c.value]
    assert listed == ["Group A – Housing", "Group B – Employment"]
    dietary = [c.value for c in workbook["Lists"]["B"] if c.value]
    assert "None" not in dietary
    sheet = workbook["Registrations"]
    headers = [c.value for c in sheet[1]]
    sheet.append(
        {
            headers.index("Name") + 1: "Ana Ribeiro",
            headers.index("Group") + 1: "Group B – Employment",
        }
    )
    workbook.save(out)
    result = run("participants", "import", out, "--visit", visit_file, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["participants"][0]["group"] == "work"


# -- duplicates, JSON, needs -------------------------------------------------------------


@pytest.mark.slow
def test_the_json_account_names_every_row(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "form.csv"
    path.write_text(
        "Timestamp,Name,Email,Country,Arrival\n"
        "2026-01-10 10:00,Ana Silva,ana@example.org,Portugal,2026-01-26\n"  # 2
        ",,nobody@example.org,Portugal,\n"  # 3: no name
        "2026-01-11 10:00,Rui Mota,rui@example.org,Narnia,2026-01-26\n"  # 4
        "2026-01-12 10:00,Ana Silva,ana@example.org,Portugal,2026-01-27\n",  # 5
        encoding="utf-8",
    )
    result = run("participants", "import", path, "--format", "json")
    assert result.exit_code == 1
    account = json.loads(result.stdout)
    assert set(account) >= {"participants", "rejected", "merged", "warnings", "unmapped_columns"}
    assert [p["name"] for p in account["participants"]] == ["Ana Silva", "Rui Mota"]
    assert account["participants"][0]["arrival"] == "2026-01-27"
    assert account["rejected"] == [
        {"row": 3, "reason": "no name", "hint": "fill in the participant's name"}
    ]
    assert account["merged"] == [{"row": 2, "into_row": 5, "why": "same email, later timestamp"}]
    assert [(w["row"], w["column"]) for w in account["warnings"]] == [(4, "D")]
    assert account["unmapped_columns"] == []
    assert "row 5 replaces row 2 (same email, later timestamp)" in result.stderr


def test_none_in_a_needs_column_means_no_need(tmp_path: Path, run: Run) -> None:
    path = tmp_path / "needs.csv"
    rows = ["Name,Dietary requirements,Accessibility needs"]
    nones = ["None", "No", "Nessuna", "Keine", "Nenhuma", "-", "n/a", "Καμία"]
    rows += [f"Person {n},{word},{word}" for n, word in enumerate(nones)]
    rows += ["Vera Pork,No pork,Ground floor"]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = run("participants", "import", path, "--format", "json")
    assert result.exit_code == 0, result.stderr
    people = {p["name"]: p for p in json.loads(result.stdout)["participants"]}
    for n in range(len(nones)):
        assert "dietary" not in people[f"Person {n}"]
        assert "accessibility" not in people[f"Person {n}"]
    assert people["Vera Pork"]["dietary"] == "No pork"


def test_interpretation_needs_reach_the_language_check_and_the_catering_sheet(
    tmp_path: Path, run: Run
) -> None:
    from openpyxl import load_workbook

    visit_file = tmp_path / "visit.yaml"
    visit_file.write_text(real_sheets.GROUPS_VISIT, encoding="utf-8")
    path = tmp_path / "needs.csv"
    path.write_text(
        "Name,Languages,Will you need interpretation?\n"
        "Nikos Pappas,Ελληνικά,English → Greek\n"
        "Olga Petrenko,українська,Ukrainian\n"
        "Ana Silva,English,No\n",
        encoding="utf-8",
    )
    result = run("participants", "import", path, "--visit", visit_file)
    assert result.exit_code == 0, result.stderr
    visit = load_visit(visit_file).visit
    needs = {p.name: p.interpretation for p in visit.participants}
    assert needs == {"Nikos Pappas": "en>el", "Olga Petrenko": "uk", "Ana Silva": None}
    check = run("check", visit_file, "--format", "json")
    findings = [f for f in json.loads(check.stdout) if f["code"] == "VP171"]
    # s1 is in English with Greek interpretation: only the Ukrainian speaker is lost.
    assert len(findings) == 1 and "1 attendee" in findings[0]["message"]
    assert "uk" in findings[0]["hint"]
    assert run("build", visit_file, "--force").exit_code in (0, 1)
    workbook = load_workbook(tmp_path / "build" / "private" / "participants.xlsx")
    rows = list(workbook["Catering & access"].values)
    column = rows[0].index("Interpretation needs")
    texts = " ".join(str(r[column] or "") for r in rows[1:])
    en, el, uk = (language_name(code) for code in ("en", "el", "uk"))
    assert f"{en} into {el}: 1" in texts and f"into {uk}: 1" in texts


# -- corrections survive re-import -------------------------------------------------------


def test_a_hand_correction_survives_reimport_of_the_same_sheet(tmp_path: Path, run: Run) -> None:
    visit_file = tmp_path / "visit.yaml"
    visit_file.write_text(real_sheets.GROUPS_VISIT, encoding="utf-8")
    sheet = tmp_path / "form.csv"
    sheet.write_text(
        "Name,Email,Country,Organisation\n"
        "Ana Silva,ana@example.org,Portugal,AIMA\n"
        "Rui Mota,rui@example.org,Brasil,CM Porto\n",
        encoding="utf-8",
    )
    assert run("participants", "import", sheet, "--visit", visit_file).exit_code == 0
    text = visit_file.read_text(encoding="utf-8")
    assert "country: BR" in text
    visit_file.write_text(text.replace("country: BR", "country: PT"), encoding="utf-8")
    again = run("participants", "import", sheet, "--visit", visit_file)
    assert again.exit_code == 0, again.stderr
    assert "kept your correction of country for row 3 (Rui Mota)" in again.stderr
    people = {p.name: p for p in load_visit(visit_file).visit.participants}
    assert people["Rui Mota"].country == "PT"
    # A new value in the sheet is news, and is taken.
    sheet.write_text(
        sheet.read_text(encoding="utf-8").replace(
            "Rui Mota,rui@example.org,Brasil,CM Porto", "Rui Mota,rui@example.org,España,CM Porto"
        ),
        encoding="utf-8",
    )
    third = run("participants", "import", sheet, "--visit", visit_file)
    assert third.exit_code == 0, third.stderr
    people = {p.name: p for p in load_visit(visit_file).visit.participants}
    assert people["Rui Mota"].country == "ES"
    remembered = tmp_path / ".visit.yaml.imported.json"
    assert remembered.stat().st_mode & 0o077 == 0
