"""Fichiers de démonstration du contrat de ville (fictifs) et leur fragment de configuration.

- ``contrat/programmation_2024-2025.xlsx`` : feuille « Notice » + une feuille par
  année, lignes de titre, en-têtes fusionnés sur deux lignes (financeur / demandé,
  accordé, versé), ligne de total et note sous le tableau, cibles « Tous les QPV de … » ;
- ``contrat/programmation_2026.xlsx`` : une feuille, priorités « Quartiers 2030 »,
  colonne de reconduction, statuts aux libellés locaux (« validé », « en instruction ») ;
- ``contrat/subventions_<commune>_2025.csv`` : subventions au format SCDL, Windows-1252,
  montants « 31 000,00 », avec un fichier de liens et des lignes laissées non reliées.

Exemple ::

    fragment = generate(Path("/tmp/demo"), model, np.random.default_rng(3))
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import numpy as np

from observatoire.demo.contrat_plan import FINANCEURS, TEMPLATES, Dossier, simulate
from observatoire.demo.files import write_csv, write_xlsx
from observatoire.demo.model import FICTIF, DemoModel

DIR = "contrat"
LABELS = {
    "etat": "État (crédits politique de la ville)",
    "epci": "Agglomération",
    "commune": "Commune",
    "departement": "Département",
    "caf": "CAF",
    "bailleurs": "Bailleurs sociaux",
}
PAID = ("etat", "epci")  # financeurs dont le classeur suit les versements
SIMPLE = ["N° dossier", "Intitulé de l'action", "Porteur", "SIRET / RNA", "Pilier", "Thématique",
          "Quartier(s) concerné(s)", "Commune", "Statut", "Coût total (€)"]  # fmt: skip
STATUS_2026 = {"accordé": "Validé", "en instruction": "En cours d'instruction", "déposé": "Déposé",
               "refusé": "Non retenu"}  # fmt: skip


def _money(value: float | None, rng: np.random.Generator) -> object:
    """Nombre Excel le plus souvent, parfois du texte à la française (« 12 500,00 »)."""
    if value is None:
        return None
    if rng.random() < 0.12:
        text = f"{value:,.2f}".replace(",", "\u00a0").replace(".", ",")
        return text
    return int(value) if float(value).is_integer() else value


def _header(fin_cols: dict[str, list[str]], extra: list[str]) -> tuple[list, list, list[str]]:
    """Deux lignes d'en-tête (ligne 4 : groupes fusionnés, ligne 5 : sous-colonnes)."""
    top, second, merges = list(SIMPLE) + extra, [None] * (len(SIMPLE) + len(extra)), []
    groups = [(LABELS[k], subs) for k, subs in fin_cols.items()]
    groups.append(("Bénéficiaires", ["prévus", "réalisés", "dont QPV"]))
    for label, subs in groups:
        start = len(top) + 1
        top += [label] + [None] * (len(subs) - 1)
        second += subs
        merges.append(f"{_col(start)}4:{_col(start + len(subs) - 1)}4")
    return top, second, merges


def _col(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(n)


def _sheet(year: int, dossiers: list[Dossier], rng, q2030: bool) -> tuple[str, list, dict]:
    fin_cols = {k: (["demandé", "accordé", "versé"] if k in PAID else ["demandé", "accordé"])
                for k in FINANCEURS}  # fmt: skip
    extra = ["Reconduction"] if q2030 else []
    top, second, group_merges = _header(fin_cols, extra)
    title = f"Contrat de ville de Valbrume — programmation {year} — {FICTIF}"
    rows: list[list] = [
        [title],
        [f"Document de travail — {FICTIF.lower()}, aucun porteur réel"],
        [],
    ]
    rows += [top, second]
    for d in dossiers:
        pilier = TEMPLATES[d.template][1 if q2030 else 0]
        statut = (
            STATUS_2026.get(d.statut, d.statut.capitalize()) if q2030 else d.statut.capitalize()
        )
        cost = sum(d.accorde.values()) or sum(d.demande.values())
        row = [d.numero, d.intitule, d.porteur.nom, d.porteur.ident, pilier,
               TEMPLATES[d.template][2], d.quartiers, d.commune, statut,
               _money(round(cost / 0.8 / 10) * 10, rng)]  # fmt: skip
        if q2030:
            row.append("Reconduite" if d.reconduite else "Nouvelle")
        for key, subs in fin_cols.items():
            for _sub, source in zip(subs, (d.demande, d.accorde, d.verse), strict=False):
                row.append(_money(source.get(key), rng) if key in d.demande else None)
        row += [d.prevus, d.realises, d.dont_qpv]
        rows.append(row)
    rows.append([None, "TOTAL (formules du classeur d'origine non reprises)"])
    rows.append([])
    rows.append([f"Source : service politique de la ville — {FICTIF}."])
    merges = [f"A1:{_col(len(top))}1"]
    merges += [f"{_col(j)}4:{_col(j)}5" for j in range(1, len(SIMPLE) + len(extra) + 1)]
    merges += group_merges
    widths = [12, 38, 32, 16, 30, 18, 30, 16, 18, 14] + [12] * (len(top) - 10)
    name = "Programmation" if q2030 else f"Programmation {year}"
    return name, rows, {"bold": [4, 5], "merge": merges, "widths": widths}


def _notice() -> tuple[str, list, dict]:
    rows = [
        [f"Classeur de programmation du contrat de ville — {FICTIF}"],
        ["Une feuille par année ; une ligne par dossier ; montants en euros."],
        ["Quartier(s) : codes QPV, noms, ou « Tous les QPV de <commune> »."],
    ]
    return "Notice", rows, {"widths": [90]}


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def _scdl(dest: Path, model: DemoModel, dossiers: list[Dossier], rng) -> tuple[str, str, list]:
    """Subventions d'une ville au format SCDL (cp1252) + fichier de liens ; renvoie
    (nom de fichier, nom de la ville, liens par bénéficiaire pour la configuration)."""
    communes = [c for c in model.communes if model.quartiers_de(c.code)] or model.communes
    ville = communes[0]
    qs = model.quartiers_de(ville.code) or model.quartiers
    header = ["nomAttribuant", "idAttribuant", "dateConvention", "referenceDecision",
              "nomBeneficiaire", "idBeneficiaire", "objet", "montant", "nature",
              "conditionsVersement", "datesPeriodeVersement", "idRAE", "notificationUE",
              "pourcentageSubvention", "dispositifAide"]  # fmt: skip
    porteurs = list({d.porteur.ident: d.porteur for d in dossiers}.values())
    rows, links, by_benef = [header], [["referenceDecision", "idBeneficiaire", "quartiers",
                                        "pilier", "thematique"]], []  # fmt: skip
    objets = ["Fonds d'initiatives des habitants : {t}", "Soutien au projet « {t} »",
              "Aide au fonctionnement — {t}"]  # fmt: skip
    for i in range(40):
        ref = f"DEL-2025-{i + 101:03d}"
        day, month = int(rng.integers(1, 28)), int(rng.integers(1, 12))
        date = f"{day:02d}/{month:02d}/2025" if i % 3 else f"2025-{month:02d}-{day:02d}"
        unrelated = i % 8 == 7  # subventions hors politique de la ville : non reliées
        if unrelated:
            nom, ident = f"Amicale bouliste n° {i}", f"W00{2000000 + i:07d}"
            objet, t = "Subvention de fonctionnement annuelle", None
        else:
            p = porteurs[int(rng.integers(len(porteurs)))]
            nom, ident = p.nom, p.ident if i % 5 else ""
            t = int(rng.integers(len(TEMPLATES)))
            objet = objets[i % 3].format(t=TEMPLATES[t][3][0])
        amount = float(rng.integers(3, 320)) * 100 + (0.5 if i % 9 == 0 else 0)
        sep = "\u00a0" if i % 2 else " "
        montant = f"{amount:,.2f}".replace(",", "_").replace(".", ",").replace("_", sep)
        rows.append([f"Ville de {ville.nom}", "21000101000017", date, ref, nom, ident, objet,
                     montant, "aide en numéraire", "unique", "2025-06-30", "", "non", "1",
                     "Fonds de soutien aux initiatives des quartiers"])  # fmt: skip
        if t is None:
            continue
        q = qs[i % len(qs)]
        if i % 4 == 0:  # jointure par référence de décision
            links.append([ref, "", q.code, TEMPLATES[t][0], TEMPLATES[t][2]])
        elif i % 4 == 1 and ident and ident not in {b[0] for b in by_benef}:
            by_benef.append(  # par identifiant du bénéficiaire (configuration)
                (ident, q.code, TEMPLATES[t][0], TEMPLATES[t][2])
            )
        # sinon : mots-clés dans l'objet (configuration), ou rien
    name = f"subventions_{_slug(ville.nom)}_2025.csv"
    write_csv(dest / DIR / name, rows, sep=";", encoding="cp1252", newline="\r\n")
    write_csv(dest / DIR / "liens_subventions_2025.csv", links, sep=";")
    return name, ville.nom, by_benef


def generate(dest: Path, model: DemoModel, rng: np.random.Generator) -> str:
    """Écrit les fichiers du contrat de ville sous ``dest/contrat`` ; renvoie le TOML."""
    dossiers = simulate(rng, model)
    by_year = {
        y: [d for d in dossiers if d.annee == y] for y in sorted({d.annee for d in dossiers})
    }
    years = list(by_year)
    first = [_notice()] + [_sheet(y, by_year[y], rng, False) for y in years[:-1]]
    write_xlsx(dest / DIR / f"programmation_{years[0]}-{years[-2]}.xlsx", first)
    write_xlsx(dest / DIR / f"programmation_{years[-1]}.xlsx",
               [_sheet(years[-1], by_year[years[-1]], rng, True)])  # fmt: skip
    scdl, ville, by_benef = _scdl(dest, model, dossiers, rng)
    return _toml(years, scdl, ville, by_benef)


def _fin_toml(name: str) -> str:
    parts = []
    for key in FINANCEURS:
        lab = LABELS[key]
        verse = f'verse = "{lab} / versé"\n' if key in PAID else ""
        parts.append(f'[sources.{name}.financeurs.{key}]\nlibelle = "{lab}"\n'
                     f'demande = "{lab} / demandé"\naccorde = "{lab} / accordé"\n{verse}')  # fmt: skip
    return "\n".join(parts)


COLONNES = """dossier = "N° dossier"
intitule = "Intitulé de l'action"
porteur = "Porteur"
porteur_id = "SIRET / RNA"
pilier = "Pilier"
thematique = "Thématique"
quartiers = "Quartier(s) concerné(s)"
commune = "Commune"
statut = "Statut"
cout_total = "Coût total (€)"
beneficiaires_prevus = "Bénéficiaires / prévus"
beneficiaires_realises = "Bénéficiaires / réalisés"
beneficiaires_qpv = "Bénéficiaires / dont QPV"
"""


def _toml(years: list[int], scdl: str, ville: str, by_benef: list) -> str:
    first, last = f"{years[0]}_{years[-2]}", years[-1]
    benef = "\n".join(
        f'"{i}" = {{ quartiers = "{q}", pilier = "{p}", thematique = "{t}" }}'
        for i, q, p, t in by_benef
    )
    keywords = "\n".join(
        f'  {{ mot = "{t[3][0]}", quartiers = "tous les QPV de {ville}", pilier = "{t[0]}", '
        f'thematique = "{t[2]}" }},'
        for t in TEMPLATES
    )
    return f"""
# ---------------------------------------------------------------- Contrat de ville
# Classeur de programmation {years[0]}-{years[-2]} : une feuille par année (la feuille
# « Notice » est ignorée car elle ne porte pas l'en-tête), deux lignes de titre, un
# en-tête sur deux lignes fusionnées combiné en « Financeur / demandé ».
[sources.programmation_{first}]
type = "programmation"
fichier = "{DIR}/programmation_{years[0]}-{years[-2]}.xlsx"
lignes_entete = 2
# l'année se lit dans le nom de la feuille (« Programmation 2024 »)
annee_depuis_feuille = "(\\\\d{{4}})"
# action sur plusieurs quartiers : répartie au prorata de la population (ou "egale")
ponderation = "population"
# financeur dont les montants sont les crédits État « politique de la ville » (effet levier)
financeur_etat = "etat"

[sources.programmation_{first}.colonnes]
{COLONNES}
{_fin_toml(f"programmation_{first}")}
# Classeur {last} : priorités « Quartiers 2030 », libellés de statut propres au service.
[sources.programmation_{last}]
type = "programmation"
fichier = "{DIR}/programmation_{last}.xlsx"
lignes_entete = 2
annee_depuis_nom = "_(\\\\d{{4}})\\\\.xlsx$"
ponderation = "population"
financeur_etat = "etat"
statuts = {{ "Validé" = "accorde", "Non retenu" = "refuse" }}

[sources.programmation_{last}.colonnes]
{COLONNES}reconduction = "Reconduction"

{_fin_toml(f"programmation_{last}")}
# Subventions de la Ville de {ville} au format SCDL (OpenDataFrance), Windows-1252 :
# fonds d'initiatives non repris dans les classeurs. Le lien aux quartiers et piliers
# vient d'un fichier de liens, de l'identifiant du bénéficiaire ou d'un mot-clé de
# l'objet ; les subventions restées non reliées sont listées par `observatoire valider`.
[sources.subventions_{_slug(ville).replace("-", "_")}]
type = "subventions_scdl"
fichier = "{DIR}/{scdl}"
financeur = "Ville de {ville} (fonds d'initiatives)"
fichier_liens = "{DIR}/liens_subventions_2025.csv"
# mots-clés cherchés dans « objet » (sans tenir compte des accents ni des majuscules)
mots_cles = [
{keywords}
]

[sources.subventions_{_slug(ville).replace("-", "_")}.liens_beneficiaires]
{benef}
"""
