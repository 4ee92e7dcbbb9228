"""The participants of a visit: registration sheets read, mapped, normalised and merged
into the visit file, and the blank sheet to hand out.

``read`` opens the sheet, ``columns`` maps its headings to fields, ``normalise`` reads
each value, ``importing`` turns rows into participants and accounts for every one,
``visit_file`` merges them into ``visit.yaml``, ``report`` writes the account, and
``template`` writes the blank registration sheet.
"""

from visitplan.participants.importing import Imported, ImportResult, import_participants

__all__ = ["ImportResult", "Imported", "import_participants"]
