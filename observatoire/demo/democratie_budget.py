"""Démo fictive : budget participatif 2025 (projets, votes agrégés) et vivier du panel citoyen.

- ``budget_participatif_2025.xlsx`` : projets déposés (quartier, montant, statut, lauréat,
  réalisé, volet porté par les moins de 25 ans, votes), feuille « Notice », lignes de titre ;
- ``votes_budget_participatif_2025.csv`` : votants agrégés par quartier × tranche d'âge ×
  sexe (jamais de bulletin individuel ; cases nulles absentes, comme dans un export) ;
- ``vivier_panel.csv`` : volontaires du panel citoyen, pseudonymes (« V0001 »…), sexe, âge,
  quartier (code QPV, parfois nom, ou « Hors QPV »), diplôme. Le vivier est biaisé comme
  un vrai appel à volontaires : plus de diplômés, moins de jeunes, moins d'habitants des
  QPV que la population ; le tirage stratifié corrige ces écarts.

Exemple ::

    files = write_budget(Path("/tmp/demo"), "democratie", model, np.random.default_rng(6))
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from observatoire.demo.files import write_csv, write_xlsx
from observatoire.demo.model import FICTIF, DemoModel

EDITION = 2025
ENVELOPPE, ENVELOPPE_JEUNES = 240_000, 60_000  # euros
PROJETS = [
    ("Jardin partagé au pied des tours", False), ("Boîtes à livres dans les halls", False),
    ("Aire de fitness en accès libre", False), ("Fresque participative sur le mur du gymnase", True),
    ("Bancs et ombrières au square", False), ("Composteurs collectifs", False),
    ("Terrain de basket rénové", True), ("Atelier vélo solidaire", False),
    ("Studio de musique au centre social", True), ("Éclairage du chemin piéton", False),
    ("Verger de quartier", False), ("Tournoi de football inter-quartiers", True),
    ("Point d'eau potable au parc", False), ("Table de ping-pong en béton", True),
    ("Nichoirs et hôtels à insectes", False), ("Piste de skate mobile", True),
    ("Ludothèque itinérante", False), ("Toilettes publiques accessibles", False),
    ("Cinéma de plein air", True), ("Marché de créateurs", False),
    ("Parcours sportif pour seniors", False), ("Espace de jeux d'eau", False),
    ("Potager pédagogique de l'école", False), ("Graff autorisé sous le pont", True),
    ("Kiosque à musique", False), ("Abri pour vélos sécurisé", False),
    ("Radio de quartier", True), ("Réparation des jeux du square", False),
]  # fmt: skip
AGE_BANDS = ("11-15 ans", "16-24 ans", "25-44 ans", "45-64 ans", "65 ans et plus")
VOTE_AGE_W = np.array([0.07, 0.09, 0.31, 0.33, 0.20])
DIPLOMES = ("Sans diplôme", "CAP-BEP", "Baccalauréat", "Bac+2", "Bac+3 et plus")
DIPLOME_P = np.array([0.09, 0.16, 0.2, 0.17, 0.38])  # plus de diplômés que la population
# âge des volontaires (moins de jeunes) : (âge min, âge max, probabilité)
AGES = ((16, 24, 0.08), (25, 29, 0.05), (30, 44, 0.22), (45, 59, 0.28), (60, 74, 0.27),
        (75, 88, 0.10))  # fmt: skip
VIVIER = 620


def _yes(flag: bool | None) -> str:
    return "" if flag is None else "oui" if flag else "non"


def _projects(model: DemoModel, rng: np.random.Generator) -> list[list[object]]:
    qs = model.quartiers
    drafts = []
    for k, (titre, jeunes) in enumerate(PROJETS):
        q = qs[int(rng.integers(len(qs)))]
        where = "Tout le territoire" if k % 9 == 4 else q.nom if k % 4 == 1 else q.code
        montant = int(rng.integers(4, 60 if not jeunes else 25)) * 1000 + 500 * (k % 2)
        recevable = k % 7 != 3
        votes = int(rng.gamma(2.2, 160)) + 20 if recevable else None
        drafts.append([k, titre, where, montant, jeunes, recevable, votes])
    laureats: set[int] = set()
    for jeunes_volet, budget in ((False, ENVELOPPE), (True, ENVELOPPE_JEUNES)):
        ranked = sorted((d for d in drafts if d[5] and d[4] == jeunes_volet), key=lambda d: -d[6])
        for d in ranked:
            if d[3] <= budget:
                laureats.add(d[0])
                budget -= d[3]
    abandoned = max(laureats, default=-1)  # un lauréat abandonné
    rows = []
    for k, titre, where, montant, jeunes, recevable, votes in drafts:
        laureat = k in laureats
        realise = laureat and rng.random() < 0.45 and k != abandoned
        if not recevable:
            statut = "Non recevable"
        elif not laureat:
            statut = "Soumis au vote"
        elif realise:
            statut = "Réalisé"
        else:
            statut = "Abandonné" if k == abandoned else "Lauréat"
        montant_cell: object = montant if k % 6 else f"{montant:,}".replace(",", "\u00a0") + " €"
        rows.append([f"BP{EDITION}-{k + 1:02d}", EDITION, titre, where, montant_cell, statut,
                     _yes(laureat if recevable else False), _yes(realise), _yes(jeunes),
                     votes])  # fmt: skip
    return rows


def _votes(model: DemoModel, rng: np.random.Generator) -> list[list[object]]:
    rows: list[list[object]] = [["Édition", "Quartier", "Tranche d'âge", "Sexe", "Votants"]]
    qpv_pop = sum(q.population for q in model.quartiers)
    hors = max(sum(c.population for c in model.communes) - qpv_pop, 0)
    places = [(q.code, q.population, 0.016) for q in model.quartiers] + [("Hors QPV", hors, 0.011)]
    for code, pop, rate in places:
        for band, w in zip(AGE_BANDS, VOTE_AGE_W, strict=True):
            for sexe, ws in (("F", 0.56), ("H", 0.44)):
                n = int(rng.poisson(pop * rate * w * ws))
                if n:
                    rows.append([EDITION, code, band, sexe, n])
    return rows


def _vivier(model: DemoModel, rng: np.random.Generator) -> list[list[object]]:
    rows: list[list[object]] = [["Identifiant", "Sexe", "Âge", "Quartier", "Diplôme"]]
    age_p = np.array([a[2] for a in AGES])
    qs = model.quartiers
    weights = np.array([q.population for q in qs], dtype=float)
    weights /= weights.sum()
    for i in range(VIVIER):
        lo, hi, _p = AGES[int(rng.choice(len(AGES), p=age_p))]
        age = int(rng.integers(lo, hi + 1))
        sexe = "F" if rng.random() < 0.57 else "H"
        if rng.random() < 0.21:  # habitants des QPV moins nombreux que dans la population
            q = qs[int(rng.choice(len(qs), p=weights))]
            quartier = q.nom if i % 10 == 3 else q.code
            p = np.array([0.2, 0.24, 0.22, 0.14, 0.2])  # moins diplômés dans les QPV
        else:
            quartier, p = "Hors QPV", DIPLOME_P
        diplome = DIPLOMES[int(rng.choice(len(DIPLOMES), p=p / p.sum()))]
        if age < 18 and diplome in ("Bac+2", "Bac+3 et plus"):
            diplome = "Sans diplôme"  # encore scolarisé
        rows.append([f"V{i + 1:04d}", sexe, age, quartier, diplome])
    return rows


def write_budget(dest: Path, folder: str, model: DemoModel, rng: np.random.Generator) -> dict:
    """Budget participatif, votes agrégés et vivier ; renvoie type → chemin relatif."""
    proj_seed, vote_seed, pool_seed = rng.bit_generator.seed_seq.spawn(3)
    header = ["N°", "Édition", "Projet", "Quartier", "Montant (€)", "Statut", "Lauréat", "Réalisé",
              "Porté par des moins de 25 ans", "Votes"]  # fmt: skip
    sheet = [[f"Budget participatif {EDITION} — projets déposés — {model.nom} — {FICTIF}"],
             [f"Enveloppe {ENVELOPPE + ENVELOPPE_JEUNES:,} € dont {ENVELOPPE_JEUNES:,} € pour "
              f"les projets portés par des moins de 25 ans — {FICTIF}".replace(",", "\u00a0")],
             [], header, *_projects(model, np.random.default_rng(proj_seed))]  # fmt: skip
    notice = [[f"Notice — {FICTIF}"],
              ["Une ligne par projet déposé ; « Votes » : votes reçus (vide si non soumis au vote)."]]  # fmt: skip
    names = {
        "budget_participatif": f"{folder}/budget_participatif_{EDITION}.xlsx",
        "votes_budget_participatif": f"{folder}/votes_budget_participatif_{EDITION}.csv",
        "vivier_panel": f"{folder}/vivier_panel.csv",
    }
    write_xlsx(dest / names["budget_participatif"],
               [("Notice", notice, {"widths": [90]}),
                (f"Projets {EDITION}", sheet, {"bold": [4], "merge": ["A1:F1"],
                 "widths": [12, 9, 44, 30, 14, 16, 10, 10, 16, 8]})])  # fmt: skip
    write_csv(dest / names["votes_budget_participatif"],
              _votes(model, np.random.default_rng(vote_seed)), sep=";", encoding="utf-8-sig",
              title=[f"Votes au budget participatif {EDITION}, agrégés — {FICTIF}"])  # fmt: skip
    write_csv(dest / names["vivier_panel"], _vivier(model, np.random.default_rng(pool_seed)),
              sep=";", title=[f"Vivier du panel citoyen (volontaires pseudonymes) — {FICTIF}"])  # fmt: skip
    return names
