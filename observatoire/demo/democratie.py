"""Fichiers de démonstration de la démocratie participative (tout est fictif).

Sous ``dest/democratie`` :
- ``concertations_2024-2025.xlsx`` : programme des démarches 2024-2026 (feuille « Notice »,
  deux lignes de titre, quartiers par code ou par nom, élu·e·s aux noms inventés) ;
- ``contributions.csv`` : contributions des démarches terminées et la suite donnée
  (Windows-1252, « ; », ligne de titre) ;
- pétitions et signatures par jour, remontées des usagers, séances et avis des instances
  (:mod:`observatoire.demo.democratie_suivi`) ;
- budget participatif, votes agrégés et vivier du panel citoyen
  (:mod:`observatoire.demo.democratie_budget`).

Le programme des démarches (:mod:`observatoire.demo.democratie_plan`) est fixe ; chaque
famille de fichiers tire ses nombres dans son propre générateur (SeedSequence.spawn).

Exemple ::

    fragment = generate(Path("/tmp/demo"), model, np.random.default_rng(4))
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from observatoire.demo.democratie_budget import write_budget
from observatoire.demo.democratie_plan import AS_OF, codes, demarches, objet
from observatoire.demo.democratie_suivi import write_suivi
from observatoire.demo.democratie_toml import toml
from observatoire.demo.files import write_csv, write_xlsx
from observatoire.demo.model import FICTIF, DemoModel

DIR = "democratie"
HEADER = ["N°", "Objet", "Service porteur", "Élu·e référent·e", "Niveau", "Quartier(s)", "Début",
          "Fin", "Dispositifs", "Publics visés", "Statut", "Priorité", "Date du bilan",
          "Lien du bilan", "Prochaines étapes"]  # fmt: skip
CONTRIB_HEADER = ["N°", "Démarche", "Date", "Thème", "Quartier", "Contribution", "Suite donnée",
                  "Justification"]  # fmt: skip
# libellé de suite tel que les services l'écrivent → (probabilité, justifications)
SUITES = {
    "Retenue": (0.28, ["Intégrée au programme de travaux.", "Reprise dans le cahier des charges.",
                       "Proposition retenue par le comité de pilotage."]),
    "Prise en compte": (0.08, ["Intégrée au projet après avis des services."]),
    "Partiellement retenue": (0.12, ["Retenue sur une partie du périmètre.",
                                     "Reprise sous une autre forme, moins coûteuse."]),
    "Partiellement": (0.06, ["Étudiée pour une seconde phase."]),
    "Non retenue": (0.25, ["Coût hors de l'enveloppe votée.", "Contraire au règlement d'urbanisme.",
                          "Non compatible avec l'accessibilité du site."]),
    "Rejetée": (0.05, ["Déjà réalisée par ailleurs."]),
    "Hors champ": (0.1, ["Ne relève pas de la démarche : transmise au service concerné.",
                         "Compétence d'un autre partenaire : transmise."]),
    "": (0.06, [""]),  # pas encore de suite donnée
}  # fmt: skip
PHRASES = {
    "Pistes cyclables": "Prévoir une piste séparée de la circulation jusqu'à la gare.",
    "Sécurité des piétons": "Élargir les trottoirs devant l'école et ralentir les voitures.",
    "Transports en commun": "Renforcer le bus du soir et du dimanche.",
    "Stationnement": "Créer des places réservées aux livraisons et aux soignants.",
    "Logement": "Rénover les halls et les ascenseurs avant toute démolition.",
    "Espaces publics": "Installer des bancs à l'ombre et un point d'eau.",
    "Commerces": "Garder une boulangerie et une pharmacie au cœur du quartier.",
    "Relogement": "Reloger les familles dans le même quartier quand elles le souhaitent.",
    "Bruit": "Limiter les livraisons nocturnes.",
    "Horaires": "Harmoniser les horaires de fermeture des terrasses.",
    "Jeux pour enfants": "Des jeux pour les plus petits et pour les adolescents.",
    "Ombrage": "Planter des arbres autour de l'aire de jeux.",
    "Sécurité": "Clôturer l'aire de jeux côté parking.",
    "Parcelles": "Réserver des parcelles surélevées pour les personnes âgées.",
    "Eau": "Installer un récupérateur d'eau de pluie.",
    "Animation": "Organiser une fête des récoltes chaque automne.",
    "Propreté": "Ajouter des poubelles et un ramassage plus fréquent.",
    "Cadre de vie": "Végétaliser les pieds d'immeubles.",
    "Sport": "Un terrain de sport en accès libre.",
    "Culture": "Des concerts gratuits l'été.",
    "Solidarité": "Une boîte à dons près du centre social.",
    "Rythmes scolaires": "Conserver le mercredi matin libéré.",
    "Périscolaire": "Plus d'activités sportives après la classe.",
    "Cantine": "Davantage de produits locaux à la cantine.",
}


def _xl(day: date | None) -> datetime | None:
    return None if day is None else datetime.combine(day, datetime.min.time())


def _quartier_cell(model: DemoModel, d, k: int) -> str:
    found = codes(model, d)
    if not found:
        return "Tout le territoire"
    if k % 3 == 1 and len(found) == 1:  # un quartier donné par son nom
        return model.quartier(found[0]).nom
    return ";".join(found)


def _concertations(model: DemoModel) -> list[list[object]]:
    rows: list[list[object]] = []
    for k, d in enumerate(demarches(model)):
        lien = f"https://participation.valbrume.example/bilans/{d.id}" if d.date_bilan else None
        bilan: object = _xl(d.date_bilan)
        if d.date_bilan is not None and k == 1:
            bilan = d.date_bilan.strftime("%d/%m/%Y")  # saisie en texte dans le classeur
        rows.append([d.id, objet(model, d), d.service, d.elu, d.niveau,
                     _quartier_cell(model, d, k), _xl(d.debut), _xl(d.fin),
                     " ; ".join(d.dispositifs), " ; ".join(d.publics), d.statut, d.priorite,
                     bilan, lien, d.prochaines_etapes])  # fmt: skip
    return rows


def write_concertations(dest: Path, model: DemoModel) -> str:
    """Classeur du programme des démarches ; renvoie son chemin relatif."""
    name = f"{DIR}/concertations_2024-2025.xlsx"
    sheet = [
        [f"Programme des concertations 2024-2026 — {model.nom} — {FICTIF}"],
        [f"Arbitrage des élus du 15 janvier 2024, mis à jour le {AS_OF:%d/%m/%Y} — {FICTIF}"],
        [],
        HEADER,
        *_concertations(model),
    ]
    notice = [
        [f"Notice — {FICTIF}"],
        ["Une ligne par démarche ; « Tout le territoire » : démarche sans quartier précis."],
        ["Niveau : information, consultation, concertation, co-construction (co-décision)."],
        ["Les élu·e·s référent·e·s et tous les noms de ce classeur sont inventés."],
    ]
    widths = [14, 48, 24, 30, 16, 28, 12, 12, 40, 36, 12, 10, 14, 44, 50]
    write_xlsx(dest / name, [("Notice", notice, {"widths": [90]}),
                             ("Démarches", sheet, {"bold": [4], "merge": ["A1:H1"],
                                                   "widths": widths})])  # fmt: skip
    return name


def write_contributions(dest: Path, model: DemoModel, rng: np.random.Generator) -> str:
    """Contributions des démarches terminées ; renvoie le chemin relatif du fichier."""
    labels = list(SUITES)
    p = np.array([SUITES[s][0] for s in labels])
    rows: list[list[object]] = [CONTRIB_HEADER]
    n = 0
    for d in demarches(model):
        if not d.terminee or d.fin is None:
            continue
        span = max((d.fin - d.debut).days, 1)
        found = codes(model, d)
        for _ in range(d.contributions):
            n += 1
            day = d.debut + timedelta(days=int(rng.integers(0, span + 1)))
            theme = d.themes[int(rng.integers(len(d.themes)))]
            if found:
                quartier = found[int(rng.integers(len(found)))]
            elif rng.random() < 0.6:
                quartier = model.quartiers[int(rng.integers(len(model.quartiers)))].code
            else:
                quartier = ""  # hors QPV ou non renseigné
            suite = "" if d.date_bilan is None else labels[int(rng.choice(len(labels), p=p))]
            reasons = SUITES[suite][1]
            justification = reasons[int(rng.integers(len(reasons)))]
            text = day.strftime("%d/%m/%Y") if n % 7 else day.isoformat()
            rows.append([f"CTB-{n:04d}", d.id, text, theme, quartier, PHRASES[theme], suite,
                         justification])  # fmt: skip
    name = f"{DIR}/contributions.csv"
    write_csv(dest / name, rows, sep=";", encoding="cp1252", newline="\r\n",
              title=[f"Contributions aux concertations — {model.nom} — {FICTIF}"])  # fmt: skip
    return name


def generate(dest: Path, model: DemoModel, rng: np.random.Generator) -> str:
    """Écrit les fichiers de démocratie participative sous ``dest/democratie`` ; renvoie le TOML."""
    dest = Path(dest)
    contrib_seed, suivi_seed, budget_seed = rng.bit_generator.seed_seq.spawn(3)
    files = {"concertations": write_concertations(dest, model)}
    files["contributions"] = write_contributions(dest, model, np.random.default_rng(contrib_seed))
    files.update(write_suivi(dest, DIR, model, np.random.default_rng(suivi_seed)))
    files.update(write_budget(dest, DIR, model, np.random.default_rng(budget_seed)))
    return toml(files)
