"""Export des rencontres Decidim (« meetings ») → table ``evenements``.

Lit l'export tel que l'écrit ``Decidim::Meetings::MeetingSerializer`` (CSV ``;``
aplati par ``/`` avec suffixe de langue, ou JSON ; voir
:mod:`observatoire.sources.decidim_read`) :

- 0.27 : ``id;category/id;category/name/fr;scope/id;scope/name/fr;participatory_space/id;
  participatory_space/url;component/id;title/fr;…;start_time;end_time;attendees;…;published`` ;
- 0.30 : ``id;author/…;participatory_space/id;…;taxonomies/ids;taxonomies/<ID>/fr;…;
  published;withdrawn;withdrawn_at;…;closed_at;…``.

Règles (celles de Decidim lui-même) :

- heures en UTC converties dans le fuseau ``fuseau`` (Europe/Paris) avant d'en tirer
  la date : une rencontre à 00:30 UTC le 1er janvier a lieu le 1er janvier à 01:30 ;
- ``attendees`` vaut 0 tant que la rencontre n'est pas close : il n'est compté que
  pour les rencontres closes (``closed_at`` renseigné ; avant 0.30, où ``closed_at``
  n'est pas exporté, un nombre > 0, saisi à la clôture), comme la statistique
  « participants » de Decidim ; sinon participants inconnus (jamais 0) ;
- rencontres retirées (``withdrawn``) et non publiées écartées, avec leur nombre.

Seuls l'identifiant, les heures, le titre, le périmètre ou les taxonomies, la catégorie,
l'espace et ``attendees`` sont lus : ni adresse, ni description, ni auteur.

Exemple ::

    [sources.decidim]
    type = "decidim"
    fichier = "participation/decidim_meetings.csv"
    correspondance_scopes = { "12" = "QN00001A", "Toute la ville" = "" }
    correspondance_taxonomies = { "31" = "QN00001A", "40" = "" }
    correspondance_espaces = { "4" = "conseil citoyen" }
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd

from observatoire.errors import ProblemCollector
from observatoire.schemas.participation import COLONNES_AGE
from observatoire.sources.decidim_inscriptions import (
    is_registrations_export,
    registrations_problem,
)
from observatoire.sources.decidim_places import Places
from observatoire.sources.decidim_read import (
    parse_utc_time,
    read_export,
    translated,
    unprotect,
    zone,
)
from observatoire.sources.participation_fields import (
    COUNT_EXPECTED,
    event_frame,
    parse_count,
    warning,
)
from observatoire.sources.tabular import guess_column
from observatoire.sources.values import parse_bool_cell

if TYPE_CHECKING:
    from observatoire.config import SourceConfig
    from observatoire.sources.registry import LoadContext

DECIDIM_OPTIONS = {
    "correspondance_scopes": "table périmètre Decidim (identifiant scope/id ou nom "
    'scope/name/fr) → code QPV ("" : tout le territoire) ; obligatoire pour chaque '
    "périmètre présent qui n'est pas un nom de quartier",
    "correspondance_taxonomies": "Decidim ≥ 0.30 : table taxonomie (identifiant de "
    'taxonomies/ids ou nom) → code QPV ("" : pas un quartier) ; obligatoire pour chaque '
    "taxonomie présente",
    "correspondance_categories": "table catégorie (identifiant ou nom ; en 0.30, taxonomie) "
    "→ dispositif",
    "correspondance_espaces": "table espace participatif (participatory_space/id ou son "
    "adresse participatory_space/url) → dispositif",
    "dispositif": "dispositif par défaut des rencontres (défaut : « réunion publique »)",
    "dispositifs": "liste des dispositifs admis (comme pour le type evenements)",
    "langue": "langue des champs traduits (title/fr…) ; défaut fr",
    "fuseau": "fuseau horaire des rencontres (les heures de Decidim sont en UTC) ; défaut "
    "Europe/Paris",
    "prefixe_id": "préfixe des identifiants d'événements ; défaut « decidim- »",
    "inclure_non_publiees": "true : garde aussi les rencontres non publiées",
    "feuille": "feuille du classeur si l'export a été réenregistré en .xlsx",
}
REQUIRED = ("id", "start_time", "attendees")


def check_options(source: SourceConfig) -> None:
    """Types des options simples (les tables sont vérifiées par :class:`Places`)."""
    langue = source.get("langue", "fr")
    if not isinstance(langue, str) or not re.fullmatch(r"[a-z]{2}(_[A-Z]{2})?", langue):
        raise source.error("langue invalide", "langue", langue, 'un code de langue : "fr"')
    for key in ("prefixe_id", "dispositif"):
        if key in source.options and not isinstance(source.options[key], str):
            raise source.error("un texte est attendu", key, source.options[key], f'{key} = "…"')
    value = source.get("inclure_non_publiees", False)
    if not isinstance(value, bool):
        raise source.error("un booléen est attendu", "inclure_non_publiees", value, "true ou false")


def _flag(row: pd.Series, col: str | None) -> bool | None:
    if col is None:
        return None
    text = str(row[col]).strip()
    try:
        return parse_bool_cell(text)
    except ValueError:
        return True  # une date (published_at, withdrawn_at) : l'état est vrai


def _lines(lines: list[int]) -> str:
    shown = ", ".join(map(str, lines[:12]))
    return shown + (f"… ({len(lines)} en tout)" if len(lines) > 12 else "")


def load_decidim(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Lit l'export des rencontres Decidim (CSV ou JSON)."""
    check_options(source)
    problems = ProblemCollector(source.label)
    raw = read_export(source, problems, [*REQUIRED, "title/fr"])
    langue = str(source.get("langue", "fr"))
    tz = zone(source)
    columns = list(raw.frame.columns)
    if is_registrations_export(columns):
        registrations_problem(problems)
    problems.raise_if_any()
    cols = {key: guess_column(columns, [key]) for key in REQUIRED}
    for key, real in cols.items():
        if real is None:
            problems.add(
                "colonne de l'export Decidim absente", column=key,
                expected="un export des rencontres Decidim (colonnes : id, start_time, attendees, "
                "scope/id ou taxonomies/ids…) séparé par « ; », ou son export JSON",
            )  # fmt: skip
    problems.raise_if_any()
    places = Places(source, ctx, columns, langue)
    places.check(raw.frame, ctx)
    title_col = translated(columns, "title", langue)
    published_col = guess_column(columns, ["published", "published_at"])
    withdrawn_col = guess_column(columns, ["withdrawn", "withdrawn_at"])
    closed_col = "closed_at" if "closed_at" in columns else None
    prefix = str(source.get("prefixe_id", "decidim-"))
    keep_unpublished = bool(source.get("inclure_non_publiees", False))
    records, dropped, unknown, seen = [], {"non publiées": [], "retirées": []}, [], {}
    for i in range(len(raw.frame)):
        row, line = raw.frame.iloc[i], raw.rows[i]
        if _flag(row, withdrawn_col):
            dropped["retirées"].append(line)
            continue
        if not keep_unpublished and _flag(row, published_col) is False:
            dropped["non publiées"].append(line)
            continue
        ident = str(row[cols["id"]]).strip()
        if not ident:
            problems.add("identifiant vide", row=line, column=cols["id"], expected="l'id Decidim")
        elif ident in seen:
            problems.add(
                "identifiant de rencontre en double", row=line, column=cols["id"], found=ident,
                expected=f"un identifiant unique (déjà ligne {seen[ident]})",
            )  # fmt: skip
        seen[ident] = line
        try:
            start = parse_utc_time(row[cols["start_time"]], tz)
            if start is None:
                raise ValueError
        except ValueError:
            problems.add(
                "date de début invalide", row=line, column=cols["start_time"],
                found=row[cols["start_time"]], expected="une date et heure Decidim "
                "(2024-03-12 17:00:00, … UTC, … +0200 ou ISO 8601)",
            )  # fmt: skip
            start = None
        codes = places.quartiers(row, line, problems)
        bad_count = False
        try:
            attendees = parse_count(row[cols["attendees"]])
        except ValueError:
            bad_count = True
            problems.add(
                "nombre de participants invalide", row=line, column=cols["attendees"],
                found=row[cols["attendees"]], expected=COUNT_EXPECTED,
            )  # fmt: skip
            attendees = None
        # 0 = non saisi (Decidim l'écrit tant que la rencontre n'est pas close)
        closed = bool(str(row[closed_col]).strip()) if closed_col else bool(attendees)
        if not closed or not attendees:
            attendees = None
        if attendees is None and not bad_count:
            unknown.append(line)
        records.append(
            {
                "id": prefix + ident,
                "date": pd.Timestamp(start.date()) if start else pd.NaT,
                "quartiers": ";".join(codes) or None,
                "dispositif": places.dispositif(row),
                "titre": unprotect(row[title_col]) or None if title_col else None,
                "lieu": None,
                "participants": attendees,
                **dict.fromkeys(["femmes", "hommes", "habitants_qpv"]),
                **dict.fromkeys(COLONNES_AGE.values()),
                "origine": "decidim",
                "ligne": line,
            }
        )
    places.report_taxonomies(problems)
    problems.raise_if_any()
    ctx.warnings.extend(problems.warnings)
    for label, lines in dropped.items():
        if lines:
            ctx.warnings.append(
                warning(source, lines[0], withdrawn_col if label == "retirées" else published_col,
                        f"{len(lines)} rencontre(s) {label} écartée(s) : lignes {_lines(lines)}")
            )  # fmt: skip
    if unknown:
        rule = "closed_at vide ou attendees à 0" if closed_col else "attendees à 0 ou vide"
        ctx.warnings.append(
            warning(source, unknown[0], cols["attendees"],
                    f"{len(unknown)} rencontre(s) non close(s) ou sans effectif ({rule}) : comptée(s) comme "
                    f"rencontres, participants inconnus (pas 0) — lignes {_lines(unknown)}")
        )  # fmt: skip
    return {"evenements": event_frame(records, source.name)}
