"""Adaptateur ``vivier_panel`` : le vivier d'un panel citoyen tiré au sort → table ``vivier``.

Une ligne par personne **pseudonyme** (volontaires ou échantillon d'adresses tiré) :
identifiant, sexe, âge ou tranche d'âge (l'âge donne la tranche canonique), quartier de
résidence (code QPV, nom, ou « Hors QPV »), habite un QPV, et chaque critère configuré
(``criteres = ["diplome"]`` → colonne ``critere_diplome``). Noms, e-mails, téléphones,
adresses : fichier refusé, ou colonnes retirées et identifiant pseudonyme HMAC-SHA256
dérivé avec ``pseudonymiser = true`` (même mécanisme que ``presences``).

Exemple de configuration ::

    [sources.vivier]
    type = "vivier_panel"
    fichier = "democratie/vivier_panel.csv"
    criteres = ["diplome"]
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd

from observatoire.errors import ProblemCollector
from observatoire.schemas.participation import TRANCHES_AGE
from observatoire.sources.democratie_read import (
    BOOL_EXPECTED,
    finish,
    quartier_resolver,
    typed_frame,
)
from observatoire.sources.participation_fields import (
    HORS_QUARTIER,
    QuartierResolver,
    band_of_age,
    check_aliases,
    parse_count,
    parse_sexe,
    parse_tranche,
)
from observatoire.sources.participation_privacy import guarded, ignored_columns
from observatoire.sources.participation_read import (
    PRIVACY_OPTIONS,
    READ_OPTIONS,
    cell,
    get,
    map_columns,
    read_sheet,
    screen,
)
from observatoire.sources.presences import Pseudonymiser
from observatoire.sources.registry import Adapter
from observatoire.sources.tabular import normalise_label
from observatoire.sources.values import parse_bool_cell

if TYPE_CHECKING:
    from observatoire.config import SourceConfig
    from observatoire.sources.registry import LoadContext

VIVIER_DEFAULTS: dict[str, list[str]] = {
    "personne": ["identifiant", "pseudonyme", "id", "n°", "id personne", "identifiant personne",
                 "personne", "numéro", "référence"],
    "sexe": ["sexe", "genre"],
    "age": ["âge", "age", "âge (ans)", "âge en années"],
    "tranche_age": ["tranche d'âge", "tranche d'age", "tranche age", "classe d'âge"],
    "quartier": ["quartier", "quartier de résidence", "qpv", "code qpv", "qpv de résidence"],
    "habite_qpv": ["habite un qpv", "habite en qpv", "habitant qpv", "résident qpv",
                   "habite le quartier"],
}  # fmt: skip
BUILT_IN = {"sexe", "tranche_age", "age", "qpv", "quartier", "habite_qpv"}
# « Hors QPV » : la personne n'habite pas un quartier prioritaire
HORS_QPV = {"hors qpv", "hors quartier", "hors quartier prioritaire", "non qpv", "aucun"}
AGE_EXPECTED = "un âge en années entre 0 et 120 (vide si inconnu)"
_NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


def criteria(source: SourceConfig, ctx: LoadContext) -> list[str]:
    """Critères en plus de sexe, âge et quartier : option ``criteres`` de la source,
    sinon ceux de ``[panel] criteres``."""
    option = source.get("criteres")
    where = "criteres"
    if option is None:
        option = ctx.config.section("panel").get("criteres", [])
        where = "criteres (lus dans [panel] criteres)"
    if not isinstance(option, list) or not all(isinstance(c, str) for c in option):
        raise source.error("doit être une liste de noms", where, option, '["diplome"]')
    out = []
    for name in option:
        key = normalise_label(name).replace(" ", "_").replace("-", "_")
        if key in BUILT_IN or key in out:
            continue
        if not _NAME.fullmatch(key):
            raise source.error("nom de critère invalide", where, name,
                               "un nom simple en minuscules (ex. diplome, situation_emploi)")  # fmt: skip
        out.append(key)
    return out


def _defaults(names: list[str]) -> dict[str, list[str]]:
    return {
        **VIVIER_DEFAULTS,
        **{f"critere_{n}": [n, n.replace("_", " "), f"critere_{n}", f"critère {n}"] for n in names},
    }


def load_vivier(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Vivier du panel (une ligne par personne pseudonyme) → table ``vivier``."""
    problems = ProblemCollector(source.label)
    names = criteria(source, ctx)
    raw = read_sheet(source, problems, ["identifiant", "sexe", "âge", "quartier", *names])
    cols = map_columns(raw, source, _defaults(names), problems)
    for name in names:
        if f"critere_{name}" not in cols:
            problems.add(
                f"colonne du critère « {name} » introuvable",
                expected=f"une colonne « {name} » (sans accents ni majuscules) ou colonnes = "
                f'{{ critere_{name} = "…" }} dans [sources.{source.name}]',
            )
    problems.raise_if_any()
    found = screen(source, raw, cols, {cols["personne"]} if "personne" in cols else set())
    ctx.warnings.extend(ignored_columns(source, found))
    pseudo = Pseudonymiser.for_file(source, ctx, found, cols.get("personne"))
    if "personne" not in cols and pseudo.key is None:
        problems.add(
            "colonne d'identifiant introuvable",
            expected=f'une colonne « Identifiant » (pseudonyme) ou colonnes.personne = "…" '
            f"dans [sources.{source.name}]",
        )
        problems.raise_if_any()
    quartiers = quartier_resolver(source, ctx)
    aliases = check_aliases(source, "tranches", TRANCHES_AGE)
    records, seen = [], {}
    for i in range(len(raw.frame)):
        line = raw.rows[i]

        def value(key: str, parse, expected: str | None = None, i: int = i):
            return get(problems, raw, cols, key, i, parse, expected) if key in cols else None

        person = pseudo.person(raw, i, cell(raw, cols, "personne", i).strip() or None)
        column = cols.get("personne")
        shown = None if pseudo.key is not None else person  # une identité n'est jamais citée
        if person is None:
            problems.add("identifiant de personne manquant", row=line, column=column,
                         expected="un identifiant pseudonyme par personne")  # fmt: skip
        elif len(person) > 64:
            problems.add("identifiant trop long", row=line, column=column, found=person[:20],
                         expected="au plus 64 caractères (un pseudonyme, pas un texte)")  # fmt: skip
        elif person in seen:
            problems.add("même personne deux fois dans le vivier", row=line, column=column,
                         found=shown, expected=f"une ligne par personne (déjà ligne "
                         f"{seen[person]})")  # fmt: skip
        else:
            seen[person] = line
        age = value("age", parse_count, AGE_EXPECTED)
        if age is not None and age > 120:
            problems.add("âge invraisemblable", row=line, column=cols["age"], found=age,
                         expected=AGE_EXPECTED)  # fmt: skip
            age = None
        band = value("tranche_age", lambda t: parse_tranche(t, aliases))
        if age is not None:
            if band is None:
                band = band_of_age(age)
            elif band_of_age(age) != band:
                problems.add(
                    "âge et tranche d'âge incohérents", row=line, column=cols["tranche_age"],
                    found=cell(raw, cols, "tranche_age", i),
                    expected=f"la tranche {band_of_age(age)} pour un âge de {age} ans",
                )  # fmt: skip
        quartier, lives = _residence(problems, raw, cols, i, quartiers)
        declared = value("habite_qpv", parse_bool_cell, BOOL_EXPECTED)
        if declared is not None and lives is not None and declared != lives:
            problems.add(
                "quartier et « habite un QPV » incohérents", row=line, column=cols["habite_qpv"],
                found=cell(raw, cols, "habite_qpv", i),
                expected=("oui" if lives else "non") + f" (quartier « "
                f"{cell(raw, cols, 'quartier', i).strip()} »)",
            )  # fmt: skip
        record = {
            "personne": person,
            "sexe": value("sexe", parse_sexe),
            "tranche_age": band,
            "age": age,
            "quartier": quartier,
            "habite_qpv": lives if lives is not None else declared,
        }
        for name in names:
            text = cell(raw, cols, f"critere_{name}", i).strip()
            if not text:
                problems.add(
                    f"valeur du critère « {name} » manquante : une personne sans valeur ne peut "
                    "pas être tirée au sort sur ce critère", row=line,
                    column=cols[f"critere_{name}"],
                    expected="une valeur pour chaque personne (complétez la ligne ou "
                    "retirez-la du vivier)",
                )  # fmt: skip
            record[f"critere_{name}"] = text or None
        records.append({**record, "ligne": line})
    finish(problems, ctx)
    if not records:
        from observatoire.schemas import empty_table

        frame = empty_table("vivier")
        for name in names:
            frame[f"critere_{name}"] = pd.Series(dtype=object)
        return {"vivier": frame}
    return {"vivier": typed_frame(records, "vivier", source.name)}


def _residence(
    problems: ProblemCollector, raw, cols: dict[str, str], i: int, quartiers: QuartierResolver
) -> tuple[str | None, bool | None]:
    """Cellule « quartier » → (code QPV ou ``None``, habite un QPV ou ``None``)."""
    text = cell(raw, cols, "quartier", i).strip()
    key = normalise_label(text)
    if not text or key in ("nd", "inconnu", "non renseigne", "?"):
        return None, None
    if key in HORS_QPV:
        return None, False
    message = "un seul quartier de résidence : " + quartiers.expected.replace(
        ", ou vide pour tout le territoire", ", « Hors QPV », ou vide si inconnu"
    )
    try:
        codes = quartiers.resolve(text) if key not in HORS_QUARTIER else []
    except ValueError:
        codes = []
    if not codes or len(codes) > 1:
        problems.add("quartier de résidence invalide", row=raw.rows[i], column=cols["quartier"],
                     found=text, expected=message)  # fmt: skip
        return None, None
    return codes[0], True


ADAPTERS = [
    Adapter(
        type="vivier_panel",
        tables=("vivier",),
        load=guarded(load_vivier),
        options={
            "colonnes": "table clé canonique → nom de colonne du fichier (critere_<nom> pour "
            "un critère)",
            "correspondance_quartiers": "table nom de quartier du fichier → code QPV",
            "criteres": 'liste des critères en plus de sexe, âge et quartier (ex. ["diplome"]) '
            ": colonnes critere_<nom> ; à défaut, ceux de [panel] criteres",
            "tranches": "table libellé de tranche d'âge du fichier → tranche canonique (0-14…75+)",
            **READ_OPTIONS,
            **PRIVACY_OPTIONS,
        },
        needs=("territoires",),
        description="Vivier d'un panel citoyen tiré au sort (une ligne par personne pseudonyme)",
    ),
]
