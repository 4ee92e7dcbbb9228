"""What every check module uses: building located findings from the catalogue."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from visitplan.findings import Finding
from visitplan.load import Loaded
from visitplan.model import Participant, Session


def at_session(
    loaded: Loaded,
    code: str,
    message: str,
    session: Session,
    *,
    involved: Iterable[Session] = (),
    key: str | None = None,
    hint: str | None = None,
) -> Finding:
    """A finding placed at a session; ``involved`` sessions may accept it too."""
    ids = [session.id, *(s.id for s in involved if s.id != session.id)]
    return _found(loaded, code, message, hint, "sessions", session.id, key, extra={"sessions": ids})


def at_item(
    loaded: Loaded, code: str, message: str, section: str, item_id: str, hint: str | None = None
) -> Finding:
    return _found(loaded, code, message, hint, section, item_id)


def _found(
    loaded: Loaded,
    code: str,
    message: str,
    hint: str | None,
    section: str,
    item_id: str,
    key: str | None = None,
    extra: dict[str, Any] | None = None,
) -> Finding:
    return Finding.of(
        code,
        message,
        hint or None,
        loaded.source.item(section, item_id, key),
        subject=item_id,
        extra=extra,
    )


def at_participant(
    loaded: Loaded,
    code: str,
    message: str,
    person: Participant,
    hint: str | None = None,
    *,
    key: str | None = None,
) -> Finding:
    return _found(loaded, code, message, hint, "participants", person.id, key)


def hm(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def day_name(moment: datetime) -> str:
    return f"{moment:%a} {moment.day} {moment:%b}"


def hours(minutes: float) -> str:
    whole, rest = divmod(round(minutes), 60)
    return f"{whole} h {rest:02d}" if rest else f"{whole} h"
