"""Adaptateur ``presences`` : une ligne par personne et par événement → table ``presences``.

Une feuille d'émargement transcrite (noms, e-mails, téléphones, adresses) est
refusée par défaut ; avec ``pseudonymiser = true`` ces colonnes sont supprimées à la
lecture et remplacées par un identifiant pseudonyme HMAC-SHA256 (voir
:mod:`observatoire.privacy`). Chaque présence renvoie à un événement chargé par une
source ``evenements`` ou ``decidim``.

Exemple de configuration ::

    [sources.emargement_mars]
    type = "presences"
    fichier = "participation/emargement_2025-03-18.csv"
    evenement = "AT-2025-03"
    pseudonymiser = true
    fichier_cle = "~/.config/observatoire-cle.txt"
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pandas as pd

from observatoire.errors import ProblemCollector, add_cascade
from observatoire.privacy import key_file_warning, load_key, person_identity, pseudonym
from observatoire.schemas.participation import TRANCHES_AGE
from observatoire.sources.decidim_inscriptions import is_registrations_export, registrations_problem
from observatoire.sources.participation_fields import (
    QuartierResolver,
    band_of_age,
    check_aliases,
    parse_count,
    parse_sexe,
    parse_tranche,
    warning,
)
from observatoire.sources.participation_read import cell, get, map_columns, read_sheet, screen
from observatoire.sources.values import parse_bool_cell

if TYPE_CHECKING:
    from observatoire.config import SourceConfig
    from observatoire.privacy import Identifier
    from observatoire.sources.registry import LoadContext
    from observatoire.sources.tabular import RawTable

PRESENCE_DEFAULTS: dict[str, list[str]] = {
    "evenement": ["événement", "evenement", "id événement", "réunion", "id réunion"],
    "personne": ["personne", "id personne", "identifiant personne", "pseudonyme"],
    "sexe": ["sexe", "genre", "civilité"],
    "tranche_age": ["tranche d'âge", "tranche age", "âge (tranche)", "classe d'âge"],
    "age": ["âge", "age"],
    "habite_qpv": ["habite un qpv", "habite le quartier", "habitant qpv", "résident qpv"],
    "quartier_residence": ["quartier de résidence", "quartier habité", "qpv de résidence"],
    "premiere_participation": ["première participation", "premiere fois", "nouveau"],
}

IDENTITY_KINDS = ("nom", "prenom", "email", "telephone")  # ce qui fonde le pseudonyme


@dataclass(frozen=True)
class Pseudonymiser:
    """Identifiant pseudonyme HMAC-SHA256 d'une ligne (``pseudonymiser = true``).

    Sans colonne d'identité trouvée, l'identifiant du fichier est gardé tel quel.

    Exemple ::

        found = screen(source, raw, cols, {cols["personne"]})
        pseudo = Pseudonymiser.for_file(source, ctx, found, cols.get("personne"))
        person = pseudo.person(raw, i, "V-0042")   # « P3f… » ou « V-0042 »
    """

    key: bytes | None
    kinds: dict[str, str]  # colonne d'identité → genre (nom, prenom, email, telephone)
    personne_column: str | None = None

    @classmethod
    def for_file(
        cls,
        source: SourceConfig,
        ctx: LoadContext,
        found: list[Identifier],
        personne_column: str | None,
    ) -> Pseudonymiser:
        """Clé lue (et avertissement si son fichier est dans un dépôt) si ``found``."""
        kinds = {i.column: i.kind for i in found if i.kind in IDENTITY_KINDS}
        key = load_key(source, ctx.config) if found else None
        notice = key_file_warning(source, ctx.config) if found else None
        if notice:
            ctx.warnings.append(warning(source, None, None, notice))
        return cls(key, kinds, personne_column)

    def person(self, raw: RawTable, i: int, person: str | None) -> str | None:
        """Identifiant de la ligne ``i`` : l'identité ne sort pas de cette méthode."""
        if self.key is None:
            return person
        record = {c: str(raw.frame.iloc[i][c]) for c in self.kinds}
        if self.personne_column in self.kinds:
            person = None  # la colonne personne contient elle-même une identité
        identity = person_identity(record, self.kinds) or (f"id:{person}" if person else None)
        return pseudonym(self.key, identity) if identity else None


def load_presences(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Une ligne par personne et par événement → table ``presences`` (pseudonyme)."""
    problems = ProblemCollector(source.label)
    raw = read_sheet(source, problems, ["événement", "sexe", "tranche d'âge", "nom", "prénom"])
    if is_registrations_export(list(raw.frame.columns)):
        registrations_problem(problems)  # inscrits Decidim : jamais comptés comme présents
        problems.raise_if_any()
    cols = map_columns(raw, source, PRESENCE_DEFAULTS, problems)
    fixed_event = source.get("evenement")
    if "evenement" not in cols and not fixed_event:
        problems.add(
            "aucune colonne d'événement",
            expected=f'colonnes.evenement = "…" ou evenement = "ID" dans [sources.{source.name}]',
        )
    problems.raise_if_any()
    found = screen(source, raw, cols, {cols["personne"]} if "personne" in cols else set())
    pseudo = Pseudonymiser.for_file(source, ctx, found, cols.get("personne"))
    events = ctx.tables.get("evenements")
    known = set(events["id"]) if events is not None and len(events) else set()
    quartiers = QuartierResolver(
        source, ctx.tables.get("territoires"), ctx.config.territoire.generation
    )
    aliases = check_aliases(source, "tranches", TRANCHES_AGE)
    records, seen, orphans = [], set(), []
    causes = ctx.failed.get("evenements", [])  # source d'événements en erreur : pas de cascade
    event_column = cols.get("evenement", "evenement (option)")
    for i in range(len(raw.frame)):
        line = raw.rows[i]
        event = str(fixed_event) if fixed_event else cell(raw, cols, "evenement", i).strip()
        if event not in known and causes:
            orphans.append(line)
        elif event not in known:
            problems.add(
                "événement inconnu", row=line, column=event_column,
                found=event, expected="l'identifiant d'un événement chargé par une source "
                "evenements ou decidim",
            )  # fmt: skip
        person = pseudo.person(raw, i, cell(raw, cols, "personne", i).strip() or None)
        if person is None:
            ctx.warnings.append(
                warning(source, line, None, "personne non identifiable : comptée comme présence "
                "mais pas dans les participants uniques ni la fidélisation")
            )  # fmt: skip
        elif (event, person) in seen:
            ctx.warnings.append(
                warning(source, line, None, "même personne deux fois au même événement : "
                "ligne ignorée")
            )  # fmt: skip
            continue
        seen.add((event, person))

        def value(key: str, parse, expected: str | None = None, i: int = i):
            return get(problems, raw, cols, key, i, parse, expected) if key in cols else None

        band = value("tranche_age", lambda t: parse_tranche(t, aliases))
        if band is None and cell(raw, cols, "age", i).strip():
            band = value(
                "age", lambda t: band_of_age(float(parse_count(t) or 0)), "un âge en années"
            )
        residence = value("quartier_residence", quartiers.resolve)
        lives = value("habite_qpv", parse_bool_cell, "oui ou non (vide si inconnu)")
        records.append(
            {
                "evenement": event,
                "personne": person,
                "sexe": value("sexe", parse_sexe),
                "tranche_age": band,
                "habite_qpv": True if lives is None and residence else lives,
                "quartier_residence": ";".join(residence) if residence else None,
                "premiere_participation": value(
                    "premiere_participation", parse_bool_cell, "oui ou non"
                ),
                "ligne": line,
            }
        )
    add_cascade(problems, orphans, event_column, "des événements", causes)
    problems.raise_if_any()
    frame = pd.DataFrame.from_records(
        records,
        columns=["evenement", "personne", "sexe", "tranche_age", "habite_qpv",
                 "quartier_residence", "premiere_participation", "ligne"],
    )  # fmt: skip
    for col in ("habite_qpv", "premiere_participation"):
        frame[col] = pd.array(frame[col].tolist(), dtype="boolean")
    for col in ("personne", "sexe", "tranche_age", "quartier_residence"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    frame["source"] = source.name
    frame["ligne"] = pd.array(frame["ligne"].tolist(), dtype="Int64")
    return {"presences": frame}
