"""Which column holds what: the header row, found below titles and blank rows, mapped
to participant fields by synonyms in English, Portuguese, Italian, French, German and
Spanish, as registration forms (Google Forms, Microsoft Forms, EUSurvey, Eventbrite)
and hand-made sheets write them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# field -> header words (normalised: lower case, no accents, no punctuation).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "full name",
        "your name",
        "participant",
        "participant name",
        "name and surname",
        "first and last name",
        "nome",
        "nome completo",
        "nominativo",
        "nome e cognome",
        "nom",
        "nom complet",
        "nom et prenom",
        "prenom et nom",
        "vor und nachname",
        "vollstandiger name",
        "nombre",
        "nombre completo",
        "nombre y apellidos",
        "attendee name",
    ),
    "given_name": (
        "first name",
        "given name",
        "given names",
        "forename",
        "primeiro nome",
        "nome proprio",
        "prenom",
        "vorname",
        "nombre de pila",
    ),
    "family_name": (
        "last name",
        "surname",
        "family name",
        "apelido",
        "apelidos",
        "sobrenome",
        "ultimo nome",
        "cognome",
        "nom de famille",
        "nachname",
        "familienname",
        "apellido",
        "apellidos",
    ),
    "email": (
        "email",
        "e mail",
        "email address",
        "e mail address",
        "mail",
        "correio electronico",
        "correio eletronico",
        "endereco de email",
        "posta elettronica",
        "indirizzo email",
        "indirizzo e mail",
        "courriel",
        "adresse e mail",
        "adresse electronique",
        "e mail adresse",
        "correo electronico",
        "correo",
        "username",
    ),
    "organisation": (
        "organisation",
        "organization",
        "institution",
        "organisation institution",
        "employer",
        "company",
        "agency",
        "entity",
        "sending organisation",
        "affiliation",
        "instituicao",
        "organizacao",
        "entidade",
        "entidade organizacao",
        "ente",
        "organizzazione",
        "istituzione",
        "ente di appartenenza",
        "organisme",
        "structure",
        "einrichtung",
        "organisation behorde",
        "behorde",
        "institucion",
        "organizacion",
        "entidad",
    ),
    "role": (
        "role",
        "position",
        "job title",
        "function",
        "job",
        "cargo",
        "funcao",
        "ruolo",
        "posizione",
        "qualifica",
        "fonction",
        "poste",
        "funktion",
        "stelle",
        "puesto",
    ),
    "country": (
        "country",
        "country of residence",
        "country region",
        "home country",
        "pais",
        "pais de residencia",
        "paese",
        "paese di residenza",
        "nazione",
        "pays",
        "pays de residence",
        "land",
        "wohnsitzland",
        "country of origin",
    ),
    "phone": (
        "phone",
        "telephone",
        "phone number",
        "mobile",
        "mobile number",
        "mobile phone",
        "cell phone",
        "telefone",
        "telemovel",
        "numero de telefone",
        "telefono",
        "cellulare",
        "numero di telefono",
        "portable",
        "numero de telephone",
        "telefon",
        "handy",
        "telefonnummer",
        "movil",
        "celular",
    ),
    "group": ("group", "grupo", "gruppo", "groupe", "gruppe", "track", "study group"),
    "arrival": (
        "arrival",
        "arrival date",
        "arrival date and time",
        "arrival time",
        "arriving",
        "chegada",
        "data de chegada",
        "data e hora de chegada",
        "arrivo",
        "data di arrivo",
        "arrivee",
        "date d arrivee",
        "ankunft",
        "anreise",
        "ankunftsdatum",
        "llegada",
        "fecha de llegada",
    ),
    "departure": (
        "departure",
        "departure date",
        "departure date and time",
        "departure time",
        "leaving",
        "partida",
        "data de partida",
        "data e hora de partida",
        "partenza",
        "data di partenza",
        "depart",
        "date de depart",
        "abreise",
        "abfahrt",
        "abreisedatum",
        "salida",
        "fecha de salida",
        "regreso",
    ),
    "dietary": (
        "dietary requirements",
        "dietary needs",
        "dietary restrictions",
        "diet",
        "food",
        "allergies",
        "food allergies",
        "dietary",
        "restricoes alimentares",
        "alimentacao",
        "necessidades alimentares",
        "esigenze alimentari",
        "allergie",
        "dieta",
        "regime alimentaire",
        "restrictions alimentaires",
        "ernahrung",
        "ernahrungsweise",
        "allergien",
        "restricciones alimentarias",
        "alergias",
    ),
    "accessibility": (
        "accessibility",
        "accessibility needs",
        "access needs",
        "special needs",
        "accessibility requirements",
        "mobility",
        "acessibilidade",
        "necessidades especiais",
        "accessibilita",
        "esigenze particolari",
        "accessibilite",
        "besoins particuliers",
        "barrierefreiheit",
        "besondere bedurfnisse",
        "accesibilidad",
        "necesidades especiales",
    ),
    "step_free": (
        "wheelchair",
        "step free access",
        "wheelchair user",
        "cadeira de rodas",
        "sedia a rotelle",
        "fauteuil roulant",
        "rollstuhl",
        "silla de ruedas",
    ),
    "languages": (
        "languages",
        "language",
        "languages spoken",
        "linguas",
        "idiomas",
        "lingue",
        "langues",
        "sprachen",
    ),
    "migrant": ("migrant participant", "migrant", "migration background"),
    "public": (
        "consent",
        "public listing",
        "publish my name",
        "consent to publication",
        "consentimento",
        "consenso",
        "consentement",
        "einwilligung",
        "consentimiento",
    ),
    "timestamp": (
        "timestamp",
        "submitted at",
        "submission date",
        "completion time",
        "date submitted",
        "order date",
        "carimbo de data hora",
        "informazioni cronologiche",
        "horodateur",
        "zeitstempel",
        "marca temporal",
    ),
    "id": ("id", "participant id"),
    "notes": (
        "notes",
        "comments",
        "remarks",
        "observacoes",
        "note",
        "remarques",
        "bemerkungen",
        "anmerkungen",
        "observaciones",
        "comentarios",
    ),
}
FIELDS = (*SYNONYMS, "ignore")
# Columns that registration platforms add and that hold nothing about the person.
NOISE = frozenset(
    {
        "start time",
        "last modified time",
        "order",
        "order no",
        "ticket type",
        "response id",
        "respondent",
        "row",
        "no",
        "n",
        "nr",
    }
)
AMBIGUOUS_NAME = frozenset({"nome", "nombre", "nom", "name"})
HEADER_SEARCH_ROWS = 30


def normalise_header(text: object) -> str:
    decomposed = unicodedata.normalize("NFKD", str(text or "").casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"\(.*?\)|\[.*?\]", " ", plain)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


_LOOKUP = {synonym: name for name, words in SYNONYMS.items() for synonym in words}
_BY_LENGTH = sorted(_LOOKUP, key=len, reverse=True)


def field_for(header: object) -> str | None:
    """The field a header names: an exact synonym, else the longest one it contains."""
    text = normalise_header(header)
    if not text:
        return None
    if text in _LOOKUP:
        return _LOOKUP[text]
    padded = f" {text} "
    for synonym in _BY_LENGTH:
        if len(synonym) > 3 and f" {synonym} " in padded:
            return _LOOKUP[synonym]
    return None


@dataclass
class ColumnMap:
    header_row: int
    headers: list[str]
    fields: dict[int, str]  # column index -> field
    unmapped: list[str] = field(default_factory=list)

    by_field: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.by_field = {name: index for index, name in self.fields.items()}

    def index_of(self, name: str) -> int | None:
        return self.by_field.get(name)


def map_columns(header_row: int, cells: list[object], overrides: dict[str, str]) -> ColumnMap:
    headers = [str(c).strip() if c is not None else "" for c in cells]
    fields: dict[int, str] = {}
    wanted = {normalise_header(k): v for k, v in overrides.items()}
    for index, header in enumerate(headers):
        if not header:
            continue
        chosen = wanted.get(normalise_header(header)) or field_for(header)
        if chosen and chosen != "ignore" and chosen not in fields.values():
            fields[index] = chosen
    # "Nome" + "Cognome", "Nombre" + "Apellidos": the first is the given name.
    if "family_name" in fields.values():
        for index, name in list(fields.items()):
            if name == "name" and normalise_header(headers[index]) in AMBIGUOUS_NAME:
                fields[index] = "given_name"
    unmapped = [
        h
        for i, h in enumerate(headers)
        if h
        and i not in fields
        and normalise_header(h) not in NOISE
        and wanted.get(normalise_header(h)) != "ignore"
    ]
    return ColumnMap(header_row, headers, fields, unmapped)


def looks_like_header(cells: list[object]) -> bool:
    """A row with at least two cells that name fields, one of them a name or an email."""
    found = {field_for(c) for c in cells if isinstance(c, str)}
    found.discard(None)
    return len(found) >= 2 and bool(found & {"name", "given_name", "family_name", "email"})
