"""Schedule checks: each fires on a minimal visit, and stays quiet just under its threshold."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from conftest import DATA, EXAMPLES, Run, copy_example_files, write
from visitplan.checks import run_checks
from visitplan.findings import CATALOGUE, Finding, InputError
from visitplan.load import load_text

ROME = {"id": "rome-hall", "name": "Rome hall", "city": "Rome", "lat": 41.90, "lon": 12.49}
ROME_2KM = {
    "id": "rome-annex",
    "name": "Rome annex",
    "city": "Rome",
    "lat": 41.90 + 2 / 111.2,
    "lon": 12.49,
}
MILAN = {"id": "milan-hall", "name": "Milan hall", "city": "Milan", "lat": 45.46, "lon": 9.19}


def session(sid: str, start: str, end: str, day: str = "2026-03-10", **more: Any) -> dict[str, Any]:
    return {
        "id": sid,
        "title": sid.title(),
        "date": day,
        "start": start,
        "end": end,
        "venue": "rome-hall",
        **more,
    }


def visit(
    sessions: list[dict[str, Any]],
    *,
    days: tuple[str, str] = ("2026-03-10", "2026-03-10"),
    participants: list[dict[str, Any]] | None = None,
    venues: list[dict[str, Any]] | None = None,
    rules: dict[str, Any] | None = None,
    objectives: tuple[str, ...] = (),
    hosts: tuple[str, ...] = (),
    groups: tuple[str, ...] = (),
    country: str = "IT",
) -> list[Finding]:
    document = {
        "visit": {
            "id": "v",
            "title": "V",
            "start_date": days[0],
            "end_date": days[1],
            "timezone": "Europe/Rome",
            "country": country,
            "objectives": [{"id": o, "text": o} for o in objectives],
        },
        "hosts": [{"id": h, "name": h, "level": "municipal"} for h in hosts],
        "venues": venues or [ROME, ROME_2KM, MILAN],
        "groups": [{"id": g, "name": g} for g in groups],
        "sessions": sessions,
        "participants": participants or [],
        "rules": rules or {},
    }
    return run_checks(load_text(yaml.safe_dump(document, sort_keys=False)))


def codes(findings: list[Finding]) -> set[str]:
    return {f.code for f in findings}


# -- overlaps and transfers ---------------------------------------------------


def test_overlap_is_an_error() -> None:
    found = visit([session("a", "10:00", "11:00"), session("b", "10:30", "11:30")])
    (overlap,) = [f for f in found if f.code == "VP101"]
    assert "'b' (10:30–11:30) overlaps 'a' (10:00–11:00)" in overlap.message


def test_back_to_back_is_no_overlap() -> None:
    assert "VP101" not in codes(
        visit([session("a", "10:00", "11:00"), session("b", "11:00", "12:00")])
    )


def test_parallel_sessions_of_different_groups_do_not_overlap() -> None:
    found = visit(
        [
            session("a", "10:00", "11:00", groups=["g1"]),
            session("b", "10:00", "11:00", groups=["g2"]),
        ],
        groups=("g1", "g2"),
    )
    assert "VP101" not in codes(found)


@pytest.mark.parametrize(("gap_start", "expected"), [("11:20", True), ("11:21", False)])
def test_transfer_time_from_coordinates(gap_start: str, expected: bool) -> None:
    # 2 km apart: 2 x 1.4 km at 15 km/h = 11 min, plus 10 min overhead = 21 min.
    found = visit(
        [session("a", "10:00", "11:00"), session("b", gap_start, "12:30", venue="rome-annex")]
    )
    assert ("VP102" in codes(found)) is expected


@pytest.mark.parametrize(("gap_start", "expected"), [("11:29", True), ("11:30", False)])
def test_transfer_time_without_coordinates_is_30_minutes(gap_start: str, expected: bool) -> None:
    venues = [
        {"id": "rome-hall", "name": "A", "city": "Rome"},
        {"id": "rome-annex", "name": "B", "city": "Rome"},
    ]
    found = visit(
        [session("a", "10:00", "11:00"), session("b", gap_start, "12:30", venue="rome-annex")],
        venues=venues,
    )
    assert ("VP102" in codes(found)) is expected


def test_city_change_without_travel_is_an_error() -> None:
    found = visit(
        [
            session("a", "10:00", "11:00"),
            session("b", "10:00", "11:00", day="2026-03-11", venue="milan-hall"),
        ],
        days=("2026-03-10", "2026-03-11"),
    )
    (change,) = [f for f in found if f.code == "VP103"]
    assert "'b' is in Milan" in change.message and "'a', is in Rome" in change.message


def test_city_change_with_travel_is_fine() -> None:
    found = visit(
        [
            session("a", "10:00", "11:00"),
            session(
                "train", "08:00", "11:00", day="2026-03-11", kind="travel", destination="milan-hall"
            ),
            session("b", "11:45", "12:30", day="2026-03-11", venue="milan-hall"),
        ],
        days=("2026-03-10", "2026-03-11"),
    )
    assert not codes(found) & {"VP102", "VP103"}


# -- day load -----------------------------------------------------------------


def _programme_day(hours_total: int, minutes_extra: int = 0) -> list[dict[str, Any]]:
    # Blocks of 1 h 30 with 30-minute breaks, from 08:30; the last one stretched.
    blocks, start = [], 8 * 60 + 30
    remaining = hours_total * 60 + minutes_extra
    n = 0
    while remaining > 0:
        length = min(90, remaining)
        if remaining - length < 30 and remaining - length > 0:
            length = remaining
        blocks.append(
            session(
                f"s{n}",
                f"{start // 60:02d}:{start % 60:02d}",
                f"{(start + length) // 60:02d}:{(start + length) % 60:02d}",
            )
        )
        start += length + 30
        remaining -= length
        n += 1
    return blocks


def test_six_hours_of_programme_is_fine() -> None:
    assert "VP111" not in codes(visit(_programme_day(6)))


def test_more_than_six_hours_of_programme_is_a_long_day() -> None:
    found = visit(_programme_day(6, 15))
    (long_day,) = [f for f in found if f.code == "VP111"]
    assert "6 h 15 of programme, more than 6 h" in long_day.message


@pytest.mark.parametrize(("end", "expected"), [("19:00", False), ("19:15", True)])
def test_day_span_over_eleven_hours(end: str, expected: bool) -> None:
    found = visit([session("a", "08:00", "09:00"), session("dinner", "18:00", end, kind="social")])
    assert ("VP112" in codes(found)) is expected


@pytest.mark.parametrize(("count", "expected"), [(3, False), (4, True)])
def test_site_visits_per_day(count: int, expected: bool) -> None:
    sessions = [
        session(f"v{n}", f"{9 + 2 * n:02d}:00", f"{10 + 2 * n:02d}:00", kind="site_visit")
        for n in range(count)
    ]
    assert ("VP113" in codes(visit(sessions))) is expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("08:00", "09:00", False),
        ("07:45", "09:00", True),
        ("20:00", "21:00", False),
        ("20:00", "21:15", True),
    ],
)
def test_early_start_or_late_end(start: str, end: str, expected: bool) -> None:
    assert ("VP114" in codes(visit([session("a", start, end)]))) is expected


@pytest.mark.parametrize(("second_start", "expected"), [("10:40", True), ("10:45", False)])
def test_stretch_without_a_break(second_start: str, expected: bool) -> None:
    # 09:00-10:30 and then a 1 h session: with a 10-minute gap it is one stretch of 2 h 40.
    end = f"{int(second_start[:2]) + 1}:{second_start[3:]}"
    found = visit([session("a", "09:00", "10:30"), session("b", second_start, end)])
    assert ("VP115" in codes(found)) is expected


def test_exactly_two_and_a_half_hours_is_no_stretch() -> None:
    assert "VP115" not in codes(visit([session("a", "09:00", "11:30")]))


@pytest.mark.parametrize(("afternoon", "expected"), [("13:00", True), ("13:15", False)])
def test_lunch_gap(afternoon: str, expected: bool) -> None:
    found = visit(
        [
            session("am", "09:00", "10:30"),
            session("am2", "11:00", "12:30"),
            session("pm", afternoon, "15:00"),
        ]
    )
    assert ("VP116" in codes(found)) is expected


def test_a_meal_session_counts_as_lunch() -> None:
    found = visit(
        [
            session("am", "09:00", "12:15"),
            session("lunch", "12:15", "13:00", kind="meal"),
            session("pm", "13:00", "15:00"),
        ]
    )
    assert "VP116" not in codes(found)


@pytest.mark.parametrize(("next_start", "expected"), [("08:30", True), ("09:00", False)])
def test_night_rest_of_eleven_hours(next_start: str, expected: bool) -> None:
    found = visit(
        [
            session("dinner", "20:00", "22:00", kind="social"),
            session("next", next_start, "10:00", day="2026-03-11"),
        ],
        days=("2026-03-10", "2026-03-11"),
    )
    assert ("VP117" in codes(found)) is expected


# -- free time ----------------------------------------------------------------


def _packed(day: str, evening_end: str = "20:00") -> list[dict[str, Any]]:
    return [
        session(f"m-{day}", "09:00", "12:00", day=day),
        session(f"l-{day}", "12:00", "13:00", day=day, kind="meal"),
        session(f"a-{day}", "13:30", "17:30", day=day, kind="workshop"),
        session(f"e-{day}", "18:30", evening_end, day=day, kind="social"),
    ]


DAYS3 = ("2026-03-10", "2026-03-12")


def test_three_packed_days_have_no_free_time() -> None:
    sessions = [s for d in ("2026-03-10", "2026-03-11", "2026-03-12") for s in _packed(d)]
    (finding,) = [f for f in visit(sessions, days=DAYS3) if f.code == "VP121"]
    assert "no free time from Tue 10 to Thu 12 Mar" in finding.message


def test_one_free_evening_in_three_days_is_enough() -> None:
    sessions = [*_packed("2026-03-10"), *_packed("2026-03-11", "19:00"), *_packed("2026-03-12")]
    assert "VP121" not in codes(visit(sessions, days=DAYS3))


def test_a_free_time_block_of_two_hours_is_enough() -> None:
    sessions = [
        *_packed("2026-03-10"),
        *_packed("2026-03-12"),
        session("free", "14:00", "16:00", day="2026-03-11", kind="free_time"),
        session("e", "18:30", "20:00", day="2026-03-11", kind="social"),
    ]
    assert "VP121" not in codes(visit(sessions, days=DAYS3))


DAYS4 = ("2026-03-10", "2026-03-13")


def test_four_days_without_a_free_afternoon() -> None:
    sessions = [session(f"s{n}", "14:00", "17:00", day=f"2026-03-1{n}") for n in range(4)]
    assert "VP122" in codes(visit(sessions, days=DAYS4))


def test_a_free_afternoon_mid_trip_is_enough() -> None:
    sessions = [session(f"s{n}", "14:00", "17:00", day=f"2026-03-1{n}") for n in (0, 1, 3)]
    sessions.append(session("morning", "09:00", "12:00", day="2026-03-12"))
    assert "VP122" not in codes(visit(sessions, days=DAYS4))


@pytest.mark.parametrize(("gap_end", "expected"), [("13:45", True), ("14:00", False)])
def test_breathing_space_of_an_hour(gap_end: str, expected: bool) -> None:
    found = visit(
        [session("a", "08:30", "13:00"), session("b", gap_end, "19:30", kind="workshop")],
        rules={"max_continuous_minutes": 600, "max_programme_hours": 12},
    )
    assert ("VP123" in codes(found)) is expected


# -- presence -----------------------------------------------------------------


def _person(pid: str, arrival: str | None = None, departure: str | None = None) -> dict[str, Any]:
    person: dict[str, Any] = {"id": pid, "name": pid}
    if arrival:
        person["arrival"] = arrival
    if departure:
        person["departure"] = departure
    return person


@pytest.mark.parametrize(
    ("arrival", "expected"), [("2026-03-10 09:30", True), ("2026-03-10 07:00", False)]
)
def test_participant_arriving_after_a_session(arrival: str, expected: bool) -> None:
    found = visit([session("a", "09:00", "10:00")], participants=[_person("p", arrival)])
    assert ("VP131" in codes(found)) is expected


def test_participant_leaving_before_the_end() -> None:
    found = visit(
        [session("a", "09:00", "10:00"), session("b", "16:00", "17:00")],
        participants=[_person("p", departure="2026-03-10 15:00")],
    )
    (left,) = [f for f in found if f.code == "VP131"]
    assert "participant 'p' leaves Tue 10 Mar 15:00 and misses 1 session" in left.message
    assert left.subject == "p"


def test_many_late_participants_are_summarised() -> None:
    people = [_person(f"p{n}", "2026-03-10 12:00") for n in range(8)]
    found = [
        f for f in visit([session("a", "09:00", "10:00")], participants=people) if f.code == "VP131"
    ]
    assert len(found) == 1 and found[0].message.startswith("8 participants arrive after 'a'")


@pytest.mark.parametrize(
    ("arrival", "expected"), [("2026-03-10 07:30", True), ("2026-03-10 07:00", False)]
)
def test_session_soon_after_arrival(arrival: str, expected: bool) -> None:
    found = visit([session("a", "09:00", "10:00")], participants=[_person("p", arrival)])
    assert ("VP132" in codes(found)) is expected


# -- coverage -----------------------------------------------------------------


def test_objective_served_by_no_session() -> None:
    found = visit([session("a", "09:00", "10:00", objectives=("o1",))], objectives=("o1", "o2"))
    (unserved,) = [f for f in found if f.code == "VP141"]
    assert unserved.subject == "o2"


def test_host_met_in_no_session() -> None:
    found = visit([session("a", "09:00", "10:00", hosts=["h1"])], hosts=("h1", "h2"))
    assert [f.subject for f in found if f.code == "VP142"] == ["h2"]


def test_cancelled_sessions_serve_nothing() -> None:
    found = visit(
        [session("a", "09:00", "10:00", objectives=["o1"], status="cancelled")], objectives=("o1",)
    )
    assert "VP141" in codes(found)


# -- venues -------------------------------------------------------------------


@pytest.mark.parametrize(("capacity", "expected"), [(2, True), (3, False)])
def test_capacity(capacity: int, expected: bool) -> None:
    venues = [{**ROME, "capacity": capacity}]
    found = visit(
        [session("a", "09:00", "10:00")],
        venues=venues,
        participants=[_person(f"p{n}") for n in range(3)],
    )
    assert ("VP151" in codes(found)) is expected


@pytest.mark.parametrize(("step_free", "expected"), [(False, True), (True, False)])
def test_step_free_access(step_free: bool, expected: bool) -> None:
    venues = [{**ROME, "step_free": step_free}]
    person = {**_person("p"), "step_free": True}
    found = visit([session("a", "09:00", "10:00")], venues=venues, participants=[person])
    assert ("VP152" in codes(found)) is expected


def test_step_free_need_in_another_group_is_not_affected() -> None:
    venues = [{**ROME, "step_free": False}]
    person = {**_person("p"), "step_free": True, "group": "g2"}
    found = visit(
        [session("a", "09:00", "10:00", groups=["g1"])],
        venues=venues,
        participants=[person],
        groups=("g1", "g2"),
    )
    assert "VP152" not in codes(found)


@pytest.mark.parametrize(("start", "expected"), [("08:30", True), ("09:00", False)])
def test_opening_hours(start: str, expected: bool) -> None:
    venues = [{**ROME, "opening_hours": {"opens": "09:00", "closes": "17:00"}}]
    assert ("VP153" in codes(visit([session("a", start, "10:00")], venues=venues))) is expected


# -- calendar and language ------------------------------------------------------


@pytest.mark.parametrize("country", ["IT", "PT"])
def test_session_on_25_april_is_a_public_holiday(country: str) -> None:
    found = visit(
        [session("a", "09:00", "10:00", day="2026-04-25")],
        days=("2026-04-24", "2026-04-25"),
        country=country,
    )
    (holiday,) = [f for f in found if f.code == "VP161"]
    assert "public holiday" in holiday.message and f"({country})" in holiday.message


def test_the_day_before_25_april_is_no_holiday() -> None:
    found = visit(
        [session("a", "09:00", "10:00", day="2026-04-24")], days=("2026-04-24", "2026-04-25")
    )
    assert "VP161" not in codes(found)


def test_regional_holiday_uses_the_venue_region() -> None:
    venues = [{**ROME, "country": "PT", "region": "13"}]  # Porto district: 24 June
    found = visit(
        [session("a", "09:00", "10:00", day="2026-06-24")],
        venues=venues,
        days=("2026-06-24", "2026-06-24"),
        country="PT",
    )
    assert "VP161" in codes(found)


def test_unknown_region_is_reported() -> None:
    venues = [{**ROME, "region": "XX"}]
    assert "VP163" in codes(visit([session("a", "09:00", "10:00")], venues=venues))


@pytest.mark.parametrize(("status", "expected"), [("tentative", True), ("confirmed", False)])
def test_tentative_session(status: str, expected: bool) -> None:
    found = visit([session("a", "09:00", "10:00", status=status)])
    assert ("VP162" in codes(found)) is expected


@pytest.mark.parametrize(("interpretation", "expected"), [([], True), (["pt"], False)])
def test_session_language_without_interpretation(interpretation: list[str], expected: bool) -> None:
    found = visit(
        [session("a", "09:00", "10:00", language="it", interpretation=interpretation)],
        participants=[{**_person("p"), "languages": ["pt"]}],
    )
    assert ("VP171" in codes(found)) is expected


# -- rules, accept and ignore -------------------------------------------------


def test_rules_change_the_outcome() -> None:
    sessions = [
        session(f"v{n}", f"{9 + 2 * n:02d}:00", f"{10 + 2 * n:02d}:00", kind="site_visit")
        for n in range(4)
    ]
    assert "VP113" in codes(visit(sessions))
    assert "VP113" not in codes(visit(sessions, rules={"max_site_visits": 4}))


def test_unknown_rule_is_a_located_error_with_a_hint() -> None:
    with pytest.raises(InputError) as caught:
        visit([session("a", "09:00", "10:00")], rules={"max_site_visit": 4})
    (finding,) = caught.value.findings
    assert finding.code == "VP002" and finding.location and finding.location.line
    assert finding.hint == "did you mean 'max_site_visits'?"


def test_accept_silences_a_finding_for_one_session() -> None:
    day = _programme_day(6, 15)
    assert "VP111" in codes(visit(day))
    day[0]["accept"] = ["long-day"]
    assert "VP111" not in codes(visit(day))


def test_rules_ignore_turns_a_check_off() -> None:
    found = visit([session("a", "09:00", "10:00", status="tentative")], rules={"ignore": ["VP162"]})
    assert "VP162" not in codes(found)


# -- the examples ---------------------------------------------------------------


def test_shape_reports_overload_and_missing_free_time(run: Run) -> None:
    result = run("check", EXAMPLES / "shape-porto-lousada" / "visit.yaml", "--format", "json")
    found = {f["code"] for f in json.loads(result.stdout)}
    assert {"VP111", "VP113", "VP121", "VP122"} <= found
    assert result.exit_code == 0  # warnings only; --strict fails
    strict = run("check", EXAMPLES / "shape-porto-lousada" / "visit.yaml", "--strict")
    assert strict.exit_code == 1


def test_shape_revised_checks_clean(run: Run) -> None:
    result = run(
        "check",
        EXAMPLES / "shape-porto-lousada" / "visit-revised.yaml",
        "--format",
        "json",
        "--strict",
    )
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_italy_without_the_train_is_a_transfer_error(run: Run, tmp_path: Path) -> None:
    text = (EXAMPLES / "italy-study-visit-2026" / "visit.yaml").read_text(encoding="utf-8")
    start = text.index("  - {id: d4-train")
    end = text.index("  - {id: d4-lunch")
    copy_example_files("italy-study-visit-2026", tmp_path)
    path = write(tmp_path, text[:start] + text[end:])
    result = run("check", path, "--format", "json")
    assert result.exit_code == 1
    (error,) = [f for f in json.loads(result.stdout) if f["code"] == "VP103"]
    assert "'d4-lunch' is in Milão" in error["message"]
    assert "'d3-free', is in Roma" in error["message"]


def test_json_output_is_stable(run: Run) -> None:
    result = run("check", EXAMPLES / "shape-porto-lousada" / "visit.yaml", "--format", "json")
    got = json.loads(result.stdout)
    for finding in got:
        finding["file"] = Path(finding["file"]).name
    snapshot = DATA / "shape-check.json"
    assert got == json.loads(snapshot.read_text(encoding="utf-8"))


def test_every_code_is_documented() -> None:
    text = (Path(__file__).resolve().parents[1] / "docs" / "checks.md").read_text(encoding="utf-8")
    for code, info in CATALOGUE.items():
        assert f"`{code}`" in text and info.name in text, code


def test_text_output_has_a_load_chart(run: Run) -> None:
    result = run("check", EXAMPLES / "shape-porto-lousada" / "visit.yaml")
    assert "Load per day" in result.stdout
    assert "Mon 15 May" in result.stdout and "8h35" in result.stdout


def test_known_region_is_not_reported() -> None:
    venues = [{**ROME, "country": "PT", "region": "13"}]
    assert "VP163" not in codes(
        visit([session("a", "09:00", "10:00")], venues=venues, country="PT")
    )
