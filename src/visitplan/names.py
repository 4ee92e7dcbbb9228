"""What people's names are made of, shared by the importer (which cleans names) and
the documents (which split them into given and family name)."""

from __future__ import annotations

# Lower-case words that belong to family names: "Maria da Silva", "Jan van Dijk",
# "Ahmed bin Said".
NAME_PARTICLES = frozenset(
    {
        "al",
        "bin",
        "da",
        "das",
        "de",
        "del",
        "della",
        "den",
        "der",
        "di",
        "do",
        "dos",
        "du",
        "e",
        "el",
        "ibn",
        "la",
        "le",
        "ten",
        "van",
        "von",
        "y",
        "zu",
    }
)
