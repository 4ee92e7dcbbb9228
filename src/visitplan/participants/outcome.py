"""``participants import`` as one call: the sheet read and accounted for, the rejected
rows written to a report, and the participants merged into the visit file."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from visitplan.model import Visit
from visitplan.participants.importing import ImportAccount, ImportResult, import_participants
from visitplan.participants.visit_file import MergeOutcome, merge_into_visit_file


class OutcomeAccount(ImportAccount):
    """The account of an import with the corrections by hand that it kept."""

    kept_corrections: list[str]


@dataclass(frozen=True)
class ImportOptions:
    """How to read a sheet: which sheet, which heading is which field, what a value means."""

    sheet: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)  # heading -> field
    value_map: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> typed -> value
    group: str | None = None
    keep_unmapped: bool = False


@dataclass(frozen=True)
class ImportOutcome:
    result: ImportResult
    report: Path | None  # where the rejected rows were written
    merge: MergeOutcome | None  # None without a visit file

    @property
    def kept(self) -> list[str]:
        return self.merge.kept if self.merge else []

    @property
    def complete(self) -> bool:
        """Every row taken or merged, and every cell read."""
        return not self.result.rejected and not any(w.dropped for w in self.result.warnings)

    def account(self) -> OutcomeAccount:
        return {**self.result.account(), "kept_corrections": self.kept}


def import_sheet(
    sheet_file: Path,
    options: ImportOptions,
    *,
    visit: Visit | None = None,
    visit_file: Path | None = None,
    report: Path | None = None,
    dry_run: bool = False,
) -> ImportOutcome:
    """Import ``sheet_file``; write its rejected rows to ``report``; merge the participants
    into ``visit_file`` (whose loaded ``visit`` gives the groups and the known ids).
    Raises ``InputError`` when the sheet cannot be read or the report cannot be written
    (then the visit file is left as it was)."""
    from visitplan.participants.report import write_rejected

    result = import_participants(
        sheet_file,
        sheet=options.sheet,
        mapping=options.mapping,
        group=options.group,
        visit=visit,
        keep_unmapped=options.keep_unmapped,
        value_map=options.value_map,
    )
    if report is not None:
        try:
            write_rejected(report, result)
        except OSError as error:
            from visitplan.findings import InputError, Location

            raise InputError.of(
                "VP010",
                f"the report {report} cannot be written ({error.strerror or error}); "
                "nothing was imported",
                "choose a folder that exists and that you may write to, e.g. --report rejected.csv",
                Location(str(report)),
            ) from None
    merge = merge_into_visit_file(visit_file, result, dry_run) if visit_file else None
    return ImportOutcome(result, report, merge)
