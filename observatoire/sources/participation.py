"""Adaptateurs de la participation des habitants : ``evenements``, ``presences``, ``decidim``.

- ``evenements`` : feuille tenue à la main (CSV/XLSX), une ligne par réunion ;
- ``presences`` : une ligne par personne et par événement (feuille d'émargement
  transcrite comprise : noms, e-mails, téléphones y sont refusés, ou supprimés et
  remplacés par un pseudonyme avec ``pseudonymiser = true``) ;
- ``decidim`` : export des rencontres (« meetings ») de Decidim (``;``, colonnes
  aplaties par ``/``).

Exemple de configuration ::

    [sources.reunions]
    type = "evenements"
    fichier = "participation/reunions.xlsx"
    correspondance_quartiers = { "Les Hauts" = "QN00001A" }
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from observatoire.errors import ProblemCollector
from observatoire.privacy import (
    detect_identifiers,
    load_key,
    person_identity,
    privacy_error,
    pseudonym,
)
from observatoire.schemas.participation import COLONNES_AGE, TRANCHES_AGE
from observatoire.sources.decidim import DECIDIM_OPTIONS, load_decidim
from observatoire.sources.participation_fields import (
    COUNT_EXPECTED,
    DispositifResolver,
    QuartierResolver,
    band_of_age,
    check_aliases,
    event_frame,
    parse_count,
    parse_sexe,
    parse_tranche,
    warning,
)
from observatoire.sources.registry import Adapter, LoadContext
from observatoire.sources.tabular import RawTable, guess_column, read_raw_table
from observatoire.sources.values import DATE_EXPECTED, parse_bool_cell, parse_date_cell

if TYPE_CHECKING:
    from observatoire.config import SourceConfig

READ_OPTIONS = {
    "feuille": "feuille du classeur XLSX (nom ou numéro)",
    "ligne_entete": "numéro de la ligne d'en-tête si des lignes de titre la précèdent",
    "separateur": "séparateur du CSV (détecté sinon)",
    "encodage": "encodage du CSV (détecté sinon)",
}
PRIVACY_OPTIONS = {
    "pseudonymiser": "true : supprime les colonnes d'identité (noms, e-mails, téléphones, "
    "adresses) et dérive un identifiant pseudonyme HMAC-SHA256 ; sinon le fichier est refusé",
    "cle_demonstration": "true : clé de démonstration PUBLIQUE livrée avec le paquet (territoire "
    "fictif uniquement, jamais pour de vraies données)",
    "fichier_cle": "fichier contenant la clé de pseudonymisation (hors du dépôt et du dossier "
    "de sortie) ; à défaut, variable d'environnement OBSERVATOIRE_CLE",
}
EVENT_DEFAULTS: dict[str, list[str]] = {
    "id": ["id", "identifiant", "n°", "numéro", "référence", "reference"],
    "date": ["date", "date de la réunion", "date de l'événement", "date de la rencontre"],
    "quartier": ["quartier", "quartiers", "qpv", "code quartier", "code qpv", "quartier(s)"],
    "dispositif": ["dispositif", "type de rencontre", "instance", "type"],
    "participants": ["participants", "nombre de participants", "nb participants", "présents"],
    "titre": ["titre", "objet", "intitulé", "thème"],
    "lieu": ["lieu", "salle", "adresse du lieu"],
    "femmes": ["femmes", "dont femmes"],
    "hommes": ["hommes", "dont hommes"],
    "habitants_qpv": ["habitants qpv", "dont habitants qpv", "habitants du quartier"],
    **{col: [col, f"{band} ans", f"dont {band} ans"] for band, col in COLONNES_AGE.items()},
}
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


def _columns(
    raw: RawTable, source: SourceConfig, defaults: dict[str, list[str]], problems: ProblemCollector
) -> dict[str, str]:
    """Clé canonique → colonne réelle (``colonnes`` de la config, sinon noms usuels)."""
    configured = source.get("colonnes", {}) or {}
    if not isinstance(configured, dict):
        raise source.error(
            "doit être une table", "colonnes", configured, 'colonnes = { date = "…" }'
        )
    unknown = set(configured) - set(defaults)
    if unknown:
        raise source.error(
            "clé de colonne inconnue", "colonnes", ", ".join(sorted(unknown)), ", ".join(defaults)
        )
    found: dict[str, str] = {}
    for key, candidates in defaults.items():
        wanted = configured.get(key)
        hit = guess_column(raw.frame.columns, [wanted] if wanted else candidates)
        if hit is not None:
            found[key] = hit
        elif wanted:
            problems.add(
                f"colonne configurée (colonnes.{key}) absente du fichier",
                column=str(wanted),
                expected="une des colonnes : " + ", ".join(map(str, raw.frame.columns)),
            )
    return found


def _read(source: SourceConfig, problems: ProblemCollector, expected: list[str]) -> RawTable:
    if source.path is None:
        raise source.error("aucun fichier indiqué", "fichier", None, 'fichier = "…"')
    header = source.get("ligne_entete")
    return read_raw_table(
        source.path,
        problems=problems,
        separator=source.get("separateur"),
        encoding=source.get("encodage"),
        sheet=source.get("feuille"),
        header_row=int(header) if header else None,
        expected=expected,
    )


def _screen(source: SourceConfig, raw: RawTable, cols: dict[str, str], structured: set[str]):
    """Identifiants directs du fichier : refus par défaut, liste si pseudonymisation."""
    trusted = set(cols.values())
    frame = raw.frame[[c for c in raw.frame.columns if c not in trusted or c in structured]]
    found = detect_identifiers(frame, raw.rows, structured=structured)
    extra = [c for c in trusted - structured if c in raw.frame.columns]
    found += [
        i
        for i in detect_identifiers(raw.frame[extra], raw.rows, structured=set(extra))
        if i.kind in ("email", "telephone")
    ]
    if found and not source.get("pseudonymiser", False):
        raise privacy_error(source, found)
    return found


def counts_ok(problems: ProblemCollector, line: int) -> bool:
    """Vrai si aucune erreur n'a été relevée sur la ligne ``line``."""
    return not any(p.row == line for p in problems.errors)


def _cell(raw: RawTable, cols: dict[str, str], key: str, i: int) -> str:
    return str(raw.frame.iloc[i][cols[key]]) if key in cols else ""


def _get(problems: ProblemCollector, raw, cols, key: str, i: int, parse, expected=None):
    """Valeur convertie de la cellule (``None`` et anomalie si invalide)."""
    text = _cell(raw, cols, key, i)
    try:
        return parse(text)
    except ValueError as exc:
        problems.add(
            "valeur invalide", row=raw.rows[i], column=cols[key], found=text,
            expected=expected or str(exc),
        )  # fmt: skip
        return None


# ---------------------------------------------------------------------- événements


def load_evenements(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Feuille d'événements tenue à la main → table ``evenements``."""
    problems = ProblemCollector(source.label)
    raw = _read(source, problems, ["date", "quartier", "dispositif", "participants"])
    cols = _columns(raw, source, EVENT_DEFAULTS, problems)
    fixed_dispositif = source.get("dispositif")
    for key in ("date", "participants") + (() if fixed_dispositif else ("dispositif",)):
        if key not in cols:
            problems.add(
                f"colonne « {key} » introuvable",
                expected=f'colonnes.{key} = "…" dans [sources.{source.name}]'
                + (' ou dispositif = "…" pour tout le fichier' if key == "dispositif" else ""),
            )
    problems.raise_if_any()
    structured = {cols[k] for k in cols if k not in ("titre", "lieu", "id")}
    _screen(source, raw, cols, structured)
    quartiers = QuartierResolver(
        source, ctx.tables.get("territoires"), ctx.config.territoire.generation
    )
    dispositifs = DispositifResolver(source)
    if fixed_dispositif:
        try:
            fixed_dispositif = dispositifs.resolve(fixed_dispositif)
        except ValueError as exc:
            raise source.error(
                "dispositif inconnu", "dispositif", fixed_dispositif, str(exc)
            ) from None
    prefix = str(source.get("prefixe_id", ""))
    records, seen = [], {}
    for i in range(len(raw.frame)):
        line = raw.rows[i]
        ident = _cell(raw, cols, "id", i).strip() or f"{source.name}-L{line}"
        if prefix + ident in seen:
            problems.add(
                "identifiant d'événement en double", row=line, column=cols.get("id"),
                found=ident, expected=f"un identifiant unique (déjà ligne {seen[prefix + ident]})",
            )  # fmt: skip
        seen[prefix + ident] = line
        day = None
        if _cell(raw, cols, "date", i).strip():
            day = _get(problems, raw, cols, "date", i, parse_date_cell, DATE_EXPECTED)
        else:
            problems.add("date manquante", row=line, column=cols["date"], expected=DATE_EXPECTED)
        codes = (
            _get(problems, raw, cols, "quartier", i, quartiers.resolve)
            if "quartier" in cols
            else []
        )
        dispositif = fixed_dispositif or _get(
            problems, raw, cols, "dispositif", i, dispositifs.resolve
        )
        counts = {
            key: _get(problems, raw, cols, key, i, parse_count, COUNT_EXPECTED)
            if key in cols
            else None
            for key in ["participants", "femmes", "hommes", "habitants_qpv", *COLONNES_AGE.values()]
        }
        total = counts["participants"]
        for group in (("femmes", "hommes"), tuple(COLONNES_AGE.values()), ("habitants_qpv",)):
            parts = [counts[k] for k in group if counts[k] is not None]
            if total is not None and parts and sum(parts) > total:
                problems.add(
                    "la ventilation dépasse le nombre de participants", row=line,
                    column=" + ".join(cols[k] for k in group if counts[k] is not None),
                    found=sum(parts), expected=f"au plus {total} (colonne {cols['participants']})",
                )  # fmt: skip
        if total is None and counts_ok(problems, line):
            ctx.warnings.append(
                warning(source, line, cols["participants"], "nombre de participants inconnu : "
                        "l'événement est compté mais pas ses participants")
            )  # fmt: skip
        records.append(
            {
                "id": prefix + ident,
                "date": pd.Timestamp(day) if day else pd.NaT,
                "quartiers": ";".join(codes or []) or None,
                "dispositif": dispositif,
                "titre": _cell(raw, cols, "titre", i).strip() or None,
                "lieu": _cell(raw, cols, "lieu", i).strip() or None,
                **counts,
                "origine": "feuille",
                "ligne": line,
            }
        )
    problems.raise_if_any()
    ctx.warnings.extend(problems.warnings)
    return {"evenements": event_frame(records, source.name)}


# ---------------------------------------------------------------------- présences


def load_presences(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Une ligne par personne et par événement → table ``presences`` (pseudonyme)."""
    problems = ProblemCollector(source.label)
    raw = _read(source, problems, ["événement", "sexe", "tranche d'âge", "nom", "prénom"])
    cols = _columns(raw, source, PRESENCE_DEFAULTS, problems)
    fixed_event = source.get("evenement")
    if "evenement" not in cols and not fixed_event:
        problems.add(
            "aucune colonne d'événement",
            expected=f'colonnes.evenement = "…" ou evenement = "ID" dans [sources.{source.name}]',
        )
    problems.raise_if_any()
    structured = {cols[k] for k in cols if k != "personne"}
    found = _screen(source, raw, cols, structured)
    kinds = {i.column: i.kind for i in found if i.kind in ("nom", "prenom", "email", "telephone")}
    key = load_key(source, ctx.config) if found else None
    events = ctx.tables.get("evenements")
    known = set(events["id"]) if events is not None and len(events) else set()
    quartiers = QuartierResolver(
        source, ctx.tables.get("territoires"), ctx.config.territoire.generation
    )
    aliases = check_aliases(source, "tranches", TRANCHES_AGE)
    records, seen = [], set()
    for i in range(len(raw.frame)):
        line = raw.rows[i]
        event = str(fixed_event) if fixed_event else _cell(raw, cols, "evenement", i).strip()
        if event not in known:
            problems.add(
                "événement inconnu", row=line, column=cols.get("evenement", "evenement (option)"),
                found=event, expected="l'identifiant d'un événement chargé par une source "
                "evenements ou decidim",
            )  # fmt: skip
        person = _cell(raw, cols, "personne", i).strip() or None
        if key is not None:
            record = {c: str(raw.frame.iloc[i][c]) for c in kinds}
            if cols.get("personne") in kinds:
                record.pop(cols["personne"], None)
                person = None
            identity = person_identity(record, kinds) or (
                f"id:{person}" if person is not None else None
            )
            person = pseudonym(key, identity) if identity else None
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
        band = (
            _get(problems, raw, cols, "tranche_age", i, lambda t: parse_tranche(t, aliases))
            if "tranche_age" in cols
            else None
        )
        if band is None and "age" in cols and _cell(raw, cols, "age", i).strip():
            band = _get(
                problems,
                raw,
                cols,
                "age",
                i,
                lambda t: band_of_age(float(parse_count(t) or 0)),
                "un âge en années",
            )
        residence = (
            _get(problems, raw, cols, "quartier_residence", i, quartiers.resolve)
            if "quartier_residence" in cols
            else None
        )
        lives = (
            _get(
                problems,
                raw,
                cols,
                "habite_qpv",
                i,
                parse_bool_cell,
                "oui ou non (vide si inconnu)",
            )
            if "habite_qpv" in cols
            else None
        )
        if lives is None and residence:
            lives = True
        records.append(
            {
                "evenement": event,
                "personne": person,
                "sexe": _get(problems, raw, cols, "sexe", i, parse_sexe) if "sexe" in cols else None,
                "tranche_age": band,
                "habite_qpv": lives,
                "quartier_residence": ";".join(residence) if residence else None,
                "premiere_participation": _get(problems, raw, cols, "premiere_participation", i, parse_bool_cell, "oui ou non") if "premiere_participation" in cols else None,
                "ligne": line,
            }
        )  # fmt: skip
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


_COMMON = {
    "colonnes": "table clé canonique → nom de colonne du fichier",
    "correspondance_quartiers": 'table nom de quartier du fichier → code QPV ("" : tout le '
    "territoire)",
    **READ_OPTIONS,
}
ADAPTERS = [
    Adapter(
        type="evenements",
        tables=("evenements",),
        load=load_evenements,
        options={
            **_COMMON,
            "dispositifs": "liste des dispositifs admis (par défaut : conseil citoyen, réunion "
            "publique, atelier de concertation, CCSPL, permanence, balade urbaine, budget "
            "participatif)",
            "correspondance_dispositifs": "table libellé du fichier → dispositif de la liste",
            "dispositif": "dispositif unique pour tout le fichier (sans colonne dispositif)",
            "prefixe_id": "préfixe ajouté aux identifiants d'événements (unicité entre sources)",
            "pseudonymiser": "true : supprime les colonnes d'identité (ex. animateur) au lieu de "
            "refuser le fichier",
        },
        needs=("territoires",),
        description="Feuille d'événements de participation tenue à la main",
    ),
    Adapter(
        type="presences",
        tables=("presences",),
        load=load_presences,
        options={
            **_COMMON,
            **PRIVACY_OPTIONS,
            "evenement": "identifiant de l'événement pour tout le fichier (feuille d'émargement)",
            "tranches": "table libellé de tranche d'âge du fichier → tranche canonique (0-14…75+)",
        },
        needs=("territoires", "evenements"),
        description="Présences individuelles (une ligne par personne et par événement)",
    ),
    Adapter(
        type="decidim",
        tables=("evenements",),
        load=load_decidim,
        options={**DECIDIM_OPTIONS, "separateur": READ_OPTIONS["separateur"],
                 "encodage": READ_OPTIONS["encodage"]},
        needs=("territoires",),
        description="Export des rencontres Decidim (CSV « ; », colonnes aplaties par « / »)",
    ),
]  # fmt: skip
