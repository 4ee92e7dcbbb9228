"""Synthetic visits and registration sheets of any size, the same every time.

A visit of size N is an exchange programme of N weekly cohorts: each week 10 groups
of 50 participants meet in one of three cities (Lisbon, Rome, Athens: three time
zones), with a daily plenary, lunch, a site visit and a workshop per group.
N=1: 500 participants, 10 groups, ~150 sessions over a week;
N=10: 5,000 participants, 100 groups, ~1,500 sessions over 10 weeks.

    python bench/generate.py 10 -o bench/out/visit-10.yaml
    python bench/generate.py 10 --sheet bench/out/registrations.xlsx
"""

from __future__ import annotations

import argparse
import csv
import random
from datetime import date, timedelta
from pathlib import Path

CITIES = [
    ("Lisbon", "Europe/Lisbon", "PT", 38.7223, -9.1393),
    ("Rome", "Europe/Rome", "IT", 41.9028, 12.4964),
    ("Athens", "Europe/Athens", "GR", 37.9838, 23.7275),
]
COUNTRIES = [
    "BE",
    "DE",
    "DK",
    "ES",
    "FR",
    "GR",
    "HR",
    "HU",
    "IE",
    "IT",
    "LU",
    "NL",
    "PT",
    "SE",
    "AT",
    "PL",
    "CZ",
    "RO",
    "SI",
    "FI",
]
GIVEN = [
    "Ana",
    "João",
    "Maria",
    "Luca",
    "Giulia",
    "Søren",
    "Inês",
    "Zoë",
    "Jonas",
    "Mia",
    "Eszter",
    "Katarina",
    "Marco",
    "Lea",
    "Tiago",
    "Rita",
    "Pieter",
    "Anna",
    "Nikos",
    "Eleni",
]
FAMILY = [
    "Silva",
    "Rossi",
    "Müller",
    "Horvat",
    "Nagy",
    "Jensen",
    "García",
    "Dubois",
    "Papadopoulos",
    "Costa",
    "Bianchi",
    "Wagner",
    "de Vries",
    "Kowalska",
    "Novák",
    "Popescu",
    "Murphy",
    "Lindqvist",
    "Santos",
    "Ferreira",
]
DIETS = [None, None, None, None, "vegetarian", "vegan", "halal", "gluten-free"]
GROUPS_PER_WEEK = 10
PEOPLE_PER_GROUP = 50
START = date(2027, 3, 1)  # a Monday


def visit_yaml(n: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    lines = [
        "visit:",
        f"  id: bench-{n}",
        f"  title: Exchange programme, {n} week{'s' if n > 1 else ''}",
        "  organiser: Benchmark city network",
        f"  start_date: {START.isoformat()}",
        f"  end_date: {(START + timedelta(days=7 * n - 1)).isoformat()}",
        "  timezone: Europe/Lisbon",
        "  country: PT",
        "  objectives:",
        "    - {id: learn, text: Learn from peers}",
        "    - {id: share, text: Share practices}",
        "  publishing: {base_url: 'https://example.org/bench/'}",
        "hosts:",
    ]
    for c, (city, *_rest) in enumerate(CITIES):
        for h in range(5):
            lines.append(f"  - {{id: h{c}-{h}, name: Host {h} of {city}, level: municipal}}")
    lines.append("venues:")
    for c, (city, tz, country, lat, lon) in enumerate(CITIES):
        for v in range(12):
            lines.append(
                f"  - {{id: v{c}-{v}, name: Venue {v} {city}, address: Street {v}, city: {city},"
                f" country: {country}, timezone: {tz}, lat: {lat + rng.uniform(-0.01, 0.01):.5f},"
                f" lon: {lon + rng.uniform(-0.01, 0.01):.5f}, capacity: {600 if v == 0 else 80},"
                " step_free: yes}"
            )
    lines.append("groups:")
    for g in range(GROUPS_PER_WEEK * n):
        lines.append(f"  - {{id: g{g}, name: Group {g}}}")
    lines.append("sessions:")
    for week in range(n):
        c = week % len(CITIES)
        cohort = [f"g{week * GROUPS_PER_WEEK + k}" for k in range(GROUPS_PER_WEEK)]
        for d in range(7):
            day = START + timedelta(days=7 * week + d)
            if d == 6:  # Sunday: a free day for everyone
                continue
            everyone = "[" + ", ".join(cohort) + "]"
            lines.append(
                f"  - {{id: w{week}d{d}-plenary, title: Plenary {d}, kind: meeting, "
                f"date: {day}, start: '09:00', end: '10:30', venue: v{c}-0, "
                f"groups: {everyone}, hosts: [h{c}-{d % 5}], objectives: [learn]}}"
            )
            lines.append(
                f"  - {{id: w{week}d{d}-lunch, title: Lunch, kind: meal, date: {day}, "
                f"start: '12:45', end: '13:45', venue: v{c}-0, groups: {everyone}}}"
            )
            for k, group in enumerate(cohort):
                venue = 1 + (k + d) % 11
                lines.append(
                    f"  - {{id: w{week}d{d}-{group}-visit, title: Site visit {venue}, "
                    f"kind: site_visit, date: {day}, start: '11:00', end: '12:15', "
                    f"venue: v{c}-{venue}, groups: [{group}], hosts: [h{c}-{k % 5}], "
                    f"objectives: [share]}}"
                )
                lines.append(
                    f"  - {{id: w{week}d{d}-{group}-work, title: Workshop, kind: workshop, "
                    f"date: {day}, start: '14:30', end: '16:00', venue: v{c}-{venue}, "
                    f"groups: [{group}], objectives: [share]}}"
                )
                if d == 2:
                    lines.append(
                        f"  - {{id: w{week}d{d}-{group}-visit2, title: Second visit, "
                        f"kind: site_visit, date: {day}, start: '16:30', end: '17:15', "
                        f"venue: v{c}-{venue}, groups: [{group}], objectives: [share]}}"
                    )
            lines.append(
                f"  - {{id: w{week}d{d}-debrief, title: Debrief, kind: reflection, "
                f"date: {day}, start: '17:45', end: '18:15', venue: v{c}-0, "
                f"groups: {everyone}}}"
            )
            if d in (0, 2, 4):
                lines.append(
                    f"  - {{id: w{week}d{d}-social, title: Evening, kind: social, "
                    f"date: {day}, start: '18:45', end: '20:00', venue: v{c}-0, "
                    f"groups: {everyone}}}"
                )
    lines.append("participants:")
    for p, (given, family, country, group, arrival, departure, diet) in enumerate(_people(n, rng)):
        extra = f", dietary: {diet}" if diet else ""
        lines.append(
            f"  - {{id: p{p}, name: '{given} {family}', organisation: Org {p % 97}, "
            f"country: {country}, email: p{p}@example.org, group: {group}, "
            f"arrival: '{arrival}', departure: '{departure}'{extra}}}"
        )
    return "\n".join(lines) + "\n"


def _people(n: int, rng: random.Random):  # type: ignore[no-untyped-def]
    for week in range(n):
        first = START + timedelta(days=7 * week)
        for k in range(GROUPS_PER_WEEK):
            group = f"g{week * GROUPS_PER_WEEK + k}"
            for _ in range(PEOPLE_PER_GROUP):
                yield (
                    rng.choice(GIVEN),
                    rng.choice(FAMILY),
                    rng.choice(COUNTRIES),
                    group,
                    f"{first - timedelta(days=1)} {rng.randint(12, 22):02d}:00",
                    f"{first + timedelta(days=6)} {rng.randint(8, 20):02d}:00",
                    rng.choice(DIETS),
                )


HEADERS = [
    "Timestamp",
    "Full name",
    "Email Address",
    "Organisation",
    "Country of residence",
    "Role",
    "Phone",
    "Arrival date",
    "Departure date",
    "Dietary requirements",
    "Accessibility needs",
    "Languages",
    "Group",
    "Notes",
    "Consent to public listing",
]


def registration_rows(count: int, seed: int = 2) -> list[list[str]]:
    rng = random.Random(seed)
    rows = []
    for p in range(count):
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        rows.append(
            [
                f"{rng.randint(1, 28):02d}/01/2027 "
                f"{rng.randint(8, 20):02d}:{rng.randint(0, 59):02d}:00",
                f"{given} {family}",
                f"person{p}@example.org",
                f"Organisation {p % 211}",
                rng.choice(
                    [
                        "Portugal",
                        "Italia",
                        "Deutschland",
                        "España",
                        "Danmark",
                        "België",
                        "Österreich",
                        "Hrvatska",
                        "Magyarország",
                        "Ireland",
                    ]
                ),
                "Officer",
                f"+351 21 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                "28/02/2027 18:00",
                "07/03/2027 12:00",
                rng.choice(["", "", "vegetarian", "halal"]),
                "",
                "English, Portuguese",
                "",
                "",
                rng.choice(["Yes", "No"]),
            ]
        )
    return rows


def write_sheet(path: Path, count: int) -> None:
    rows = registration_rows(count)
    if path.suffix == ".csv":
        with path.open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream)
            writer.writerow(HEADERS)
            writer.writerows(rows)
        return
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Form responses 1")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("size", type=int, help="N: weeks of 500 participants")
    parser.add_argument("-o", "--out", type=Path, help="write the visit file here")
    parser.add_argument("--sheet", type=Path, help="write a registration sheet (.xlsx/.csv)")
    parser.add_argument("--rows", type=int, default=5000)
    args = parser.parse_args()
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(visit_yaml(args.size), encoding="utf-8")
    if args.sheet:
        args.sheet.parent.mkdir(parents=True, exist_ok=True)
        write_sheet(args.sheet, args.rows)


if __name__ == "__main__":
    main()
