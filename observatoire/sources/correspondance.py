"""Adaptateur ``correspondance`` : table de passage des QPV 2015 vers 2024.

Une ligne par couple (quartier 2015, quartier 2024) avec la part de la population
2015 reprise (0-1, ou en % avec ``part_en_pourcentage = true``) et la relation
(identique, scission, fusion, modification, sortie, entree). Sans colonne de
relation, elle est déduite de la structure de la table.

Exemple (``observatoire.toml``) ::

    [sources.passage]
    type = "correspondance"
    fichier = "geographie/correspondance_qpv_2015_2024.csv"
    colonnes = { code_2015 = "code_qp_2015", code_2024 = "code_qp_2024" }
"""

from __future__ import annotations

import pandas as pd

from observatoire.config import SourceConfig
from observatoire.errors import ProblemCollector
from observatoire.sources.common import READ_OPTIONS, map_columns, read_source_table
from observatoire.sources.geography import _COLONNES_HELP, _check, _text
from observatoire.sources.registry import Adapter, LoadContext
from observatoire.sources.values import parse_code, parse_number_cell, qpv_generation

CORRESPONDANCE_COLUMNS = {
    "code_2015": ["code_2015", "code_qp_2015", "qp_2015", "code_qpv_2015", "ancien_code"],
    "code_2024": ["code_2024", "code_qp_2024", "qn_2024", "code_qpv_2024", "nouveau_code"],
    "part": ["part", "part_population", "part_pop", "taux_recouvrement", "recouvrement"],
    "relation": ["relation", "type_evolution", "evolution", "type"],
}
RELATIONS = ("identique", "scission", "fusion", "modification", "sortie", "entree")


def load_correspondance(source: SourceConfig, ctx: LoadContext) -> dict[str, pd.DataFrame]:
    """Table de passage QPV 2015 → 2024 → ``correspondances``.

    Sans colonne ``relation``, elle est déduite : sortie (pas de code 2024), entrée
    (pas de code 2015), scission, fusion, identique (part 1) ou modification.
    """
    problems = ProblemCollector(source.label)
    raw = read_source_table(source, problems, expected=["code_2015", "code_2024", "part"])
    cols = map_columns(
        raw, source, CORRESPONDANCE_COLUMNS, problems, required=["code_2015", "code_2024"]
    )
    percent = bool(source.get("part_en_pourcentage", False))
    problems.raise_if_any()
    rows = []
    for pos, rec in enumerate(raw.records()):
        line = raw.line_of(pos)
        c15 = parse_code(rec.get(cols["code_2015"], "")) or None
        c24 = parse_code(rec.get(cols["code_2024"], "")) or None
        if c15 is None and c24 is None:
            continue
        for code, gen, col in ((c15, 2015, cols["code_2015"]), (c24, 2024, cols["code_2024"])):
            if code and _check(problems, code, "qpv", line, col) and qpv_generation(code) != gen:
                problems.add(
                    f"code QPV d'une autre génération dans la colonne {gen}",
                    row=line,
                    column=col,
                    found=code,
                    expected=f"un code {'QP' if gen == 2015 else 'QN'}…",
                )
        part = None
        if "part" in cols:
            text = rec.get(cols["part"], "")
            try:
                part, _status, _band = parse_number_cell(text)
            except ValueError:
                problems.add(
                    "part illisible",
                    row=line,
                    column=cols["part"],
                    found=text,
                    expected="un nombre entre 0 et 1",
                )
            if part is not None:
                part = part / 100 if percent else part
                if not 0 <= part <= 1:
                    problems.add(
                        "part hors de l'intervalle 0-1",
                        row=line,
                        column=cols["part"],
                        found=text,
                        expected="une part entre 0 et 1 (ou part_en_pourcentage = true)",
                    )
        relation = None
        if "relation" in cols:
            text = _text(rec.get(cols["relation"], ""))
            relation = text.lower().replace("é", "e") or None
            if relation is not None and relation not in RELATIONS:
                problems.add(
                    "relation inconnue",
                    row=line,
                    column=cols["relation"],
                    found=text,
                    expected=", ".join(RELATIONS),
                )
        rows.append(
            {"code_2015": c15, "code_2024": c24, "part": part, "relation": relation, "ligne": line}
        )
    problems.raise_if_any()
    frame = pd.DataFrame(rows, columns=["code_2015", "code_2024", "part", "relation", "ligne"])
    frame["relation"] = _deduce_relations(frame)
    frame["part"] = frame["part"].astype(float)
    frame["source"] = source.name
    frame["ligne"] = pd.array(frame["ligne"], dtype="Int64")
    return {"correspondances": frame}


def _deduce_relations(frame: pd.DataFrame) -> list[str]:
    n24 = frame.dropna(subset=["code_2024"]).groupby("code_2015")["code_2024"].nunique()
    n15 = frame.dropna(subset=["code_2015"]).groupby("code_2024")["code_2015"].nunique()
    out = []
    for r in frame.itertuples(index=False):
        if isinstance(r.relation, str):
            out.append(r.relation)
        elif r.code_2024 is None:
            out.append("sortie")
        elif r.code_2015 is None:
            out.append("entree")
        elif n24.get(r.code_2015, 1) > 1:
            out.append("scission")
        elif n15.get(r.code_2024, 1) > 1:
            out.append("fusion")
        elif r.part is None or pd.isna(r.part) or r.part >= 0.999:
            out.append("identique")
        else:
            out.append("modification")
    return out


ADAPTERS = [
    Adapter(
        type="correspondance",
        tables=("correspondances",),
        load=load_correspondance,
        options={
            "colonnes": _COLONNES_HELP + ", ".join(CORRESPONDANCE_COLUMNS),
            "part_en_pourcentage": "true si la part est donnée en % (0-100) plutôt qu'en 0-1",
            **READ_OPTIONS,
        },
        description="Correspondance des QPV 2015 → 2024.",
    ),
]
