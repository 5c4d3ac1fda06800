"""Fichiers d'indicateurs de la démo, dans les formes des vrais fichiers.

- CSV larges façon INSEE (``;``, virgule décimale, Windows-1252, ligne de titre,
  colonne de niveau ``NIVGEO``) : recensement, un fichier par millésime ;
- classeurs XLSX (feuille « Documentation » + feuille « Données » avec lignes de
  titre et notes sous le tableau ; millésime seulement dans le nom du fichier) :
  revenus ;
- un CSV long (``,``, UTF-8 avec BOM) : prestations, emploi, logement, éducation ;
- la géographie 2015 (millésimes 2016 et 2018) en CSV larges.

:func:`write_indicators` renvoie le fragment ``observatoire.toml`` de ces sources.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from observatoire.demo.files import fr_number, write_csv, write_xlsx
from observatoire.demo.indicators import PYRAMIDE
from observatoire.demo.model import FICTIF, DemoModel

IND_DIR = "indicateurs"
NIVGEO = {
    "qpv": "QPV", "commune": "COM", "epci": "EPCI", "departement": "DEP",
    "france": "FR", "ensemble_qpv": "ENSQPV",
}  # fmt: skip
NIVEAUX_XLSX = {
    "qpv": "Quartier prioritaire", "commune": "Commune", "epci": "EPCI",
    "departement": "Département", "france": "France", "ensemble_qpv": "Ensemble des QPV",
}  # fmt: skip
ORDER = {"qpv": 0, "commune": 1, "epci": 2, "departement": 3, "ensemble_qpv": 4, "france": 5}

# colonne du fichier → identifiant du catalogue
RECENSEMENT = {
    "POP": "population", "PCT_0_14": "part_0_14", "PCT_15_24": "part_15_24",
    "PCT_25_59": "part_25_59", "PCT_60P": "part_60_plus", "IND_JEUN": "indice_jeunesse",
    "PCT_FEM": "part_femmes", "PCT_ETR": "part_etrangers",
    "PCT_FAM_MONO": "part_familles_monoparentales", "TX_EMPL": "taux_emploi",
    "TX_EMPL_PREC": "taux_emploi_precaire", "TX_CHOM": "taux_chomage",
    "TX_SCOL_16_24": "taux_scolarisation_16_24", "PCT_NON_DIPL": "part_non_diplomes",
    **{"POP_" + p.split("_", 2)[1][0].upper() + "_" + p.split("_", 2)[2].upper().replace("PLUS", "P"): p
       for p in PYRAMIDE},
}  # fmt: skip
REVENUS = {
    "DISP_TP60": "taux_pauvrete", "DISP_MED": "revenu_median_uc", "DISP_D1": "revenu_d1_uc",
    "DISP_D9": "revenu_d9_uc", "DISP_RD": "rapport_interdecile", "DISP_PPSOC": "part_prestations",
}  # fmt: skip
REVENUS_DOC = {
    "DISP_TP60": "Taux de pauvreté au seuil de 60 % (%)",
    "DISP_MED": "Médiane du revenu disponible par unité de consommation (€)",
    "DISP_D1": "1er décile du revenu disponible par unité de consommation (€)",
    "DISP_D9": "9e décile du revenu disponible par unité de consommation (€)",
    "DISP_RD": "Rapport interdécile D9/D1",
    "DISP_PPSOC": "Part des prestations sociales dans le revenu disponible (%)",
}
PRESTATIONS = {
    "Demandeurs d'emploi ABC": "demandeurs_emploi",
    "Part des moins de 26 ans parmi les demandeurs d'emploi": "part_demandeurs_jeunes",
    "Foyers allocataires Caf": "allocataires_caf",
    "Part des allocataires percevant le RSA": "part_allocataires_rsa",
    "Part des allocataires dépendants à 50 % des prestations": "part_dependance_prestations",
    "Part de la population couverte par la C2S": "part_css",
    "Part des logements sociaux": "part_logements_sociaux",
    "Part des élèves de 6e en retard": "part_retard_6e",
}
DECIMALS = {"%": 1, "€": 0, "nombre": 0, "ratio": 1, "indice": 2}


def _decimals(ident: str) -> int:
    if ident == "indice_jeunesse":
        return 2
    if ident == "rapport_interdecile":
        return 1
    if ident.startswith(("part_", "taux_")):
        return 1
    return 0


def _with_texts(values: pd.DataFrame) -> pd.DataFrame:
    """Ajoute le texte de chaque cellule : virgule décimale (``texte``) ou point (``texte_pt``)."""
    decimals = {i: _decimals(i) for i in values["indicateur"].unique()}
    texte, texte_pt = [], []
    for marker, value, ident in zip(
        values["marqueur"], values["valeur"], values["indicateur"], strict=True
    ):
        if marker:
            texte.append(marker)
            texte_pt.append(marker)
        else:
            text = fr_number(value, decimals[ident], comma=False)
            texte_pt.append(text)
            texte.append(text.replace(".", ","))
    return values.assign(texte=texte, texte_pt=texte_pt)


def _wide(values: pd.DataFrame, year: int, columns: dict[str, str], generation: int, refs=True):
    """Tableau large : une ligne par territoire (QPV d'abord), une colonne par indicateur."""
    sel = values[(values["annee"] == year) & values["indicateur"].isin(columns.values())]
    keep = sel["generation"] == generation
    if refs:
        keep |= sel["niveau"] != "qpv"
    sel = sel[keep.fillna(False).astype(bool)]
    terr = sel.drop_duplicates(["code", "niveau"])[["code", "niveau", "nom"]].copy()
    terr["_o"] = terr["niveau"].map(ORDER)
    terr = terr.sort_values(["_o", "code"], kind="stable")
    cells = {(r.code, r.niveau, r.indicateur): r for r in sel.itertuples(index=False)}
    return terr, cells


def write_indicators(values: pd.DataFrame, model: DemoModel, dest: Path) -> str:
    """Écrit les fichiers d'indicateurs sous ``dest/indicateurs`` ; renvoie le fragment TOML."""
    folder = dest / IND_DIR
    folder.mkdir(parents=True, exist_ok=True)
    values = _with_texts(values)
    parts = [TOML_HEAD]
    for i, year in enumerate(model.annees):
        name = f"population_qp2024_{year}.csv"
        _census_csv(
            values, model, year, folder / name, 2024, RECENSEMENT, "Recensement de la population"
        )
        parts.append(
            _toml_census(f"recensement_{year}", f"{IND_DIR}/{name}", year, RECENSEMENT, i == 0)
        )
    for i, year in enumerate(model.annees):
        name = f"revenus_qp2024_{year}.xlsx"
        _revenus_xlsx(values, model, year, folder / name)
        parts.append(_toml_revenus(f"revenus_{year}", f"{IND_DIR}/{name}", i == 0))
    _long_csv(values, model, folder / "prestations_emploi_qp2024.csv")
    parts.append(TOML_LONG)
    all_columns = {**RECENSEMENT, **REVENUS, **{_short(k): v for k, v in PRESTATIONS.items()}}
    for year in model.annees_2015:
        name = f"indicateurs_qp2015_{year}.csv"
        title = "Indicateurs des quartiers prioritaires (géographie 2015)"
        _census_csv(values, model, year, folder / "qp2015" / name, 2015, all_columns, title)
        parts.append(
            _toml_census(
                f"qp2015_{year}", f"{IND_DIR}/qp2015/{name}", year, all_columns, False, True
            )
        )
    return "\n".join(parts)


def _short(label: str) -> str:
    return {
        "demandeurs_emploi": "NB_DEFM", "part_demandeurs_jeunes": "PCT_DEFM_M26",
        "allocataires_caf": "NB_ALLOC", "part_allocataires_rsa": "PCT_ALLOC_RSA",
        "part_dependance_prestations": "PCT_ALLOC_DEP50", "part_css": "PCT_C2S",
        "part_logements_sociaux": "PCT_LOG_SOC", "part_retard_6e": "PCT_RETARD_6E",
    }[PRESTATIONS[label]]  # fmt: skip


def _census_csv(values, model, year, path: Path, generation, columns, theme) -> None:
    # les territoires de référence d'un millésime ne sont publiés qu'une fois
    refs = generation == 2024 or year not in model.annees
    terr, cells = _wide(values, year, columns, generation, refs)
    header = ["CODGEO", "LIBGEO", "NIVGEO", *columns]
    rows: list[list[object]] = [header]
    for t in terr.itertuples(index=False):
        code = f'="{t.code}"' if t.niveau in ("commune", "departement") else t.code
        row: list[object] = [code, t.nom, NIVGEO[t.niveau]]
        for ident in columns.values():
            r = cells.get((t.code, t.niveau, ident))
            row.append("" if r is None else r.texte)
        rows.append(row)
    title = [f"{FICTIF} — {theme} {year} — quartiers prioritaires (géographie {generation}) "
             "et territoires de référence — territoire de démonstration, aucun lieu réel"]  # fmt: skip
    notes = ["s : secret statistique ; nd : non disponible ; [a;b[ : valeur publiée en tranche"]
    write_csv(path, rows, sep=";", encoding="cp1252", newline="\r\n", title=title, notes=notes)


def _revenus_xlsx(values, model, year, path: Path) -> None:
    terr, cells = _wide(values, year, REVENUS, 2024)
    header = ["Code géographique", "Libellé", "Niveau géographique", *REVENUS]
    data: list[list[object]] = [
        [f"{FICTIF} — Revenus disponibles des quartiers prioritaires et de leurs territoires"],
        ["Géographie des quartiers prioritaires 2024 — montants annuels en euros"],
        [],
        header,
    ]
    for t in terr.itertuples(index=False):
        row: list[object] = [t.code, t.nom, NIVEAUX_XLSX[t.niveau]]
        for ident in REVENUS.values():
            r = cells.get((t.code, t.niveau, ident))
            if r is None:
                row.append(None)
            elif r.marqueur:
                row.append(r.marqueur)
            else:
                row.append(float(round(r.valeur, _decimals(ident))))
        data.append(row)
    data += [
        [],
        [f"Source : {FICTIF.lower()} générées par « observatoire demo » (aucun lieu réel)."],
        ["s : secret statistique ; nd : non disponible."],
    ]
    doc: list[list[object]] = [
        [f"{FICTIF} — Documentation"],
        [],
        ["Variable", "Libellé"],
        ["Code géographique", "Code du quartier prioritaire (QN…) ou du territoire de référence"],
        [
            "Niveau géographique",
            "Quartier prioritaire, Commune, EPCI, Département, France, Ensemble des QPV",
        ],  # fmt: skip
        *[[k, v] for k, v in REVENUS_DOC.items()],
    ]
    write_xlsx(
        path,
        [
            ("Documentation", doc, {"bold": [1, 3], "widths": [22, 80]}),
            (
                "Données",
                data,
                {
                    "bold": [1, 4],
                    "widths": [20, 34, 22] + [12] * len(REVENUS),
                    "merge": ["A1:I1", "A2:I2"],  # titres fusionnés, comme dans les vrais classeurs
                },
            ),
        ],
    )


def _long_csv(values, model, path: Path) -> None:
    sel = values[values["indicateur"].isin(PRESTATIONS.values())]
    sel = sel[(sel["niveau"] != "qpv") | (sel["generation"] == 2024)]
    sel = sel[sel["annee"].isin(model.annees)]
    label = {v: k for k, v in PRESTATIONS.items()}
    sel = sel.assign(_o=sel["niveau"].map(ORDER)).sort_values(
        ["annee", "_o", "code", "indicateur"], kind="stable"
    )
    rows: list[list[object]] = [
        ["code_geo", "niveau_geo", "libelle_geo", "indicateur", "annee", "valeur",
         "numerateur", "denominateur", "producteur"]
    ]  # fmt: skip
    for r in sel.itertuples(index=False):
        hidden = bool(r.marqueur)
        text = r.texte_pt
        if r.niveau == "ensemble_qpv" and not hidden and "." in text:
            text = repr(float(text) + 1e-13)  # artefact d'un outil précédent : 43.90000000000001
        rows.append(
            [
                r.code, NIVGEO[r.niveau], r.nom, label[r.indicateur], r.annee,
                text,
                "" if hidden else fr_number(r.numerateur, 0, False),
                "" if hidden else fr_number(r.denominateur, 0, False),
                FICTIF,
            ]
        )  # fmt: skip
    path.parent.mkdir(parents=True, exist_ok=True)
    write_csv(path, rows, sep=",", encoding="utf-8-sig", newline="\n")


# ------------------------------------------------------------------ observatoire.toml


def _mapping_table(name: str, columns: dict[str, str], key: str = "indicateurs") -> str:
    lines = [
        "# colonne (ou libellé) du fichier = identifiant du catalogue",
        f"[sources.{name}.{key}]",
    ]
    for column, ident in columns.items():
        lines.append(
            f'"{column}" = "{ident}"' if not column.isidentifier() else f'{column} = "{ident}"'
        )
    return "\n".join(lines)


def _toml_census(name, path, year, columns, explain: bool, qp2015: bool = False) -> str:
    if explain:
        comment = """
# Recensement (forme LARGE façon INSEE) : une ligne par territoire, une colonne par
# indicateur. Fichier en Windows-1252, séparateur « ; », virgule décimale, une ligne
# de titre au-dessus de l'en-tête (ligne 2), et une colonne NIVGEO qui dit si la
# ligne est un QPV, une commune (COM), l'EPCI, le département (DEP), la France (FR)
# ou l'ensemble des QPV (ENSQPV). Les cellules « s », « nd » ou en tranche
# « [a;b[ » deviennent un statut (secret / absent), jamais 0.
# La table [sources.NOM.indicateurs] associe chaque colonne du fichier à un
# identifiant du catalogue (liste : `observatoire indicateurs`)."""
    elif qp2015:
        comment = f"""
# Géographie 2015 (codes QP…), millésime {year} : mêmes conventions que le
# recensement, tous les thèmes dans un seul fichier."""
    else:
        comment = f"\n# Recensement, millésime {year} : même forme que ci-dessus."
    if not explain:
        return f"""{comment}
[sources.{name}]
type = "indicateurs"
fichier = "{path}"
forme = "large"
annee = {year}
encodage = "cp1252"
separateur = ";"
ligne_entete = 2
colonne_niveau = "NIVGEO"
colonnes = {{ code = "CODGEO", nom = "LIBGEO" }}
producteur = "{FICTIF} (démonstration)"
{_mapping_table(name, columns)}
"""
    return f"""{comment}
[sources.{name}]
type = "indicateurs"          # famille : valeurs d'indicateurs
fichier = "{path}"
forme = "large"               # une colonne par indicateur ("longue" : une ligne par valeur)
annee = {year}                   # millésime de tout le fichier (il n'est que dans le titre)
encodage = "cp1252"           # Windows-1252 (détecté sinon)
separateur = ";"
ligne_entete = 2              # la ligne 1 est un titre
colonne_niveau = "NIVGEO"     # QPV, COM, EPCI, DEP, FR, ENSQPV reconnus d'office
colonnes = {{ code = "CODGEO", nom = "LIBGEO" }}   # colonnes du code et du nom du territoire
producteur = "{FICTIF} (démonstration)"   # cité comme source dans les rapports
{_mapping_table(name, columns)}
"""


def _toml_revenus(name: str, path: str, explain: bool) -> str:
    comment = (
        """
# Revenus (classeur XLSX) : feuille « Documentation » (description des variables)
# et feuille « Données » avec deux lignes de titre, l'en-tête en ligne 4 et des
# notes sous le tableau. Le millésime n'apparaît QUE dans le nom du fichier :
# annee_depuis_nom est une expression régulière dont le 1er groupe est l'année.
# La colonne « Niveau géographique » porte des libellés en toutes lettres :
# la table niveaux les traduit en niveaux de l'atelier."""
        if explain
        else "\n# Revenus, autre millésime : même forme que ci-dessus."
    )
    niveaux = ", ".join(f'"{v}" = "{k}"' for k, v in NIVEAUX_XLSX.items())
    if explain:
        return f"""{comment}
[sources.{name}]
type = "indicateurs"
fichier = "{path}"
feuille = "Données"                   # nom (ou numéro à partir de 1) de la feuille
ligne_entete = 4                      # numéro de ligne tel qu'affiché par le tableur
annee_depuis_nom = "_(\\\\d{{4}})\\\\.xlsx$"  # « revenus_qp2024_2021.xlsx » → 2021
colonne_niveau = "Niveau géographique"
# libellé du fichier = niveau de l'atelier (qpv, commune, epci, departement, france, ensemble_qpv)
niveaux = {{ {niveaux} }}
colonnes = {{ code = "Code géographique", nom = "Libellé" }}
producteur = "{FICTIF} (démonstration)"
{_mapping_table(name, REVENUS)}
"""
    return f"""{comment}
[sources.{name}]
type = "indicateurs"
fichier = "{path}"
feuille = "Données"
ligne_entete = 4
annee_depuis_nom = "_(\\\\d{{4}})\\\\.xlsx$"
colonne_niveau = "Niveau géographique"
niveaux = {{ {niveaux} }}
colonnes = {{ code = "Code géographique", nom = "Libellé" }}
producteur = "{FICTIF} (démonstration)"
{_mapping_table(name, REVENUS)}
"""


TOML_HEAD = """
# =====================================================================
# INDICATEURS
# =====================================================================
# Millésimes : géographie 2024 → 2018, 2020, 2021 ; géographie 2015 → 2016, 2018.
# Chaque fichier est une source ; toutes alimentent la même table « valeurs »."""

TOML_LONG = f"""
# Prestations, emploi, logement, éducation (forme LONGUE) : une ligne par
# territoire × indicateur × année, séparateur « , », point décimal, UTF-8 avec BOM.
# Les libellés de la colonne « indicateur » sont traduits en identifiants du
# catalogue ; numérateur et dénominateur sont repris quand ils existent.
[sources.prestations_emploi]
type = "indicateurs"
fichier = "{IND_DIR}/prestations_emploi_qp2024.csv"
forme = "longue"
separateur = ","               # le séparateur est détecté ; précisé ici pour l'exemple
# forme longue : colonnes du code, du niveau, de l'indicateur, de l'année, de la valeur
colonnes = {{ code = "code_geo", nom = "libelle_geo", niveau = "niveau_geo", indicateur = "indicateur", annee = "annee", valeur = "valeur", numerateur = "numerateur", denominateur = "denominateur" }}
producteur = "{FICTIF} (démonstration)"
{_mapping_table("prestations_emploi", PRESTATIONS)}
"""
