"""Démo fictive : pétitions et signatures par jour, remontées des usagers, instances et avis.

- ``petitions.csv`` (Windows-1252, « ; », ligne de titre) : quatre pétitions — une qui
  atteint son seuil et déclenche un panel citoyen, une irrecevable, une en cours, une
  répondue ;
- ``signatures_petitions.csv`` (UTF-8, « , ») : forme longue, nouvelles signatures par jour
  (les jours sans signature n'ont pas de ligne) ;
- ``remontees_2025.xlsx`` : ~400 remontées (canaux, quartiers, thèmes, services, délais,
  quelques-unes non traitées au 31/01/2026), description libre sans donnée personnelle ;
- ``instances.csv`` et ``avis_instances.csv`` : séances de la CCSPL, des conseils citoyens et
  du conseil de développement ; avis émis, dates et contenu des réponses (certains sans).

Exemple ::

    files = write_suivi(Path("/tmp/demo"), "democratie", model, np.random.default_rng(5))
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from observatoire.demo.democratie_plan import AS_OF
from observatoire.demo.files import write_csv, write_xlsx
from observatoire.demo.model import FICTIF, DemoModel

# (id, titre, dépôt, seuil, statut du fichier, rang du quartier ou None, signatures/jour
#  au départ, décroissance (jours), fin de collecte, date de réponse)
PETITIONS = (
    ("PET-2024-01", "Pour un éclairage public rénové : {q4}", date(2024, 4, 8), 300,
     "Répondue", 4, 14.0, 30.0, date(2024, 7, 31), date(2024, 10, 17)),
    ("PET-2025-01", "Réouverture du bureau de poste : {q1}", date(2025, 2, 3), 1000,
     "Panel citoyen", 1, 38.0, 40.0, date(2025, 5, 31), None),
    ("PET-2025-02", "Gratuité du bus le dimanche", date(2025, 5, 12), 1000, "Irrecevable", None,
     9.0, 10.0, date(2025, 6, 6), date(2025, 6, 20)),
    ("PET-2025-03", "Un skatepark pour les jeunes : {q4}", date(2025, 10, 6), 500, "Recevable", 4, 9.0, 25.0,
     AS_OF, None),
)  # fmt: skip
CANAUX = {  # libellé du fichier → poids
    "Accueil physique": 0.14, "Accueil": 0.06, "Facebook": 0.08, "Réseaux sociaux": 0.04,
    "Médiateur": 0.09, "Gardien": 0.06, "Permanence": 0.07, "Courriel": 0.12, "E-mail": 0.05,
    "Téléphone": 0.15, "Courrier": 0.04, "Application": 0.10,
}  # fmt: skip
# thème → (service saisi, délai médian en jours, descriptions)
THEMES = {
    "Propreté": ("Propreté urbaine", 6, ["Dépôt sauvage au pied de l'immeuble.",
                 "Poubelles débordantes près de l'arrêt de bus.", "Tags sur le mur de l'école."]),
    "Éclairage public": ("Voirie et éclairage", 12, ["Lampadaire éteint depuis une semaine.",
                         "Éclairage du passage piéton trop faible."]),
    "Voirie": ("Voirie et éclairage", 30, ["Nid-de-poule dangereux sur la chaussée.",
               "Trottoir soulevé par les racines."]),
    "Tranquillité": ("Police municipale", 9, ["Rodéos de motos le soir.",
                     "Regroupements bruyants dans le hall."]),
    "Espaces verts": ("Espaces verts", 18, ["Haie à tailler le long du chemin.",
                      "Arbre mort à abattre dans le square."]),
    "Stationnement": ("Police municipale", 10, ["Voitures ventouses sur le parking.",
                      "Stationnement gênant devant le portail de l'école."]),
    "Logement": ("Bailleur social (transmis)", 35, ["Ascenseur en panne depuis dix jours.",
                 "Infiltration d'eau dans la cage d'escalier."]),
    "Transports": ("Mobilités", 25, ["Abribus détruit à l'arrêt du marché.",
                   "Horaires du bus non affichés."]),
}  # fmt: skip
THEME_P = np.array([0.24, 0.12, 0.12, 0.13, 0.09, 0.1, 0.12, 0.08])


def _qname(model: DemoModel, rank: int | None) -> str:
    return "" if rank is None else model.quartiers[rank % len(model.quartiers)].nom


def _signatures(rng: np.random.Generator, start: float, tau: float, depot: date, end: date):
    """Nouvelles signatures par jour (Poisson décroissant, regain au 3e mois)."""
    days = []
    for t in range((end - depot).days + 1):
        rate = start * np.exp(-t / tau) + 0.6 + (4.0 if 60 <= t < 75 else 0.0) * (tau > 20)
        n = int(rng.poisson(rate))
        if n:
            days.append((depot + timedelta(days=t), n))
    return days


def _petitions(dest: Path, folder: str, model: DemoModel, rng) -> dict[str, str]:
    names = {f"q{i}": _qname(model, i) for i in range(14)}
    rows: list[list[object]] = [["N°", "Titre", "Date de dépôt", "Seuil", "Statut", "Quartier(s)",
                                 "Signatures", "Seuil atteint le", "Date de réponse"]]  # fmt: skip
    long: list[list[object]] = [["Pétition", "Date", "Signatures"]]
    for ident, titre, depot, seuil, statut, rank, start, tau, end, answer in PETITIONS:
        days = _signatures(rng, start, tau, depot, end)
        total, reached = 0, None
        for day, n in days:
            total += n
            if reached is None and total >= seuil:
                reached = day
            long.append([ident, day.isoformat(), n])
        code = "" if rank is None else model.quartiers[rank % len(model.quartiers)].code
        quartier = (
            "Tout le territoire" if rank is None else (code if rank % 2 else names[f"q{rank}"])
        )
        rows.append([ident, titre.format(**names), depot.strftime("%d/%m/%Y"), seuil, statut,
                     quartier, total, reached.strftime("%d/%m/%Y") if reached else "",
                     answer.strftime("%d/%m/%Y") if answer else ""])  # fmt: skip
    write_csv(dest / folder / "petitions.csv", rows, sep=";", encoding="cp1252", newline="\r\n",
              title=[f"Pétitions citoyennes — {model.nom} — {FICTIF}"])  # fmt: skip
    write_csv(dest / folder / "signatures_petitions.csv", long, sep=",",
              title=[f"Signatures en ligne par jour (export de la plateforme) — {FICTIF}"])  # fmt: skip
    return {"petitions": f"{folder}/petitions.csv",
            "signatures": f"{folder}/signatures_petitions.csv"}  # fmt: skip


def _remontees(dest: Path, folder: str, model: DemoModel, rng) -> str:
    canaux, cp = list(CANAUX), np.array(list(CANAUX.values()))
    themes = list(THEMES)
    drawn = []
    for _ in range(int(rng.integers(390, 420))):
        day = date(2025, 1, 1) + timedelta(days=int(rng.integers(0, 365)))
        drawn.append((day, int(rng.choice(len(canaux), p=cp)), int(rng.choice(8, p=THEME_P))))
    drawn.sort(key=lambda x: x[0])
    rows: list[list[object]] = []
    for n, (day, c, t) in enumerate(drawn, start=1):
        theme = themes[t]
        service, median, texts = THEMES[theme]
        draw = rng.random()
        q = model.quartiers[int(rng.integers(len(model.quartiers)))]
        quartier = q.code if draw < 0.55 else q.nom if draw < 0.75 else ""
        delay = int(np.ceil(rng.lognormal(np.log(median), 0.8)))
        done = day + timedelta(days=delay)
        statut, treated = ("Résolue" if n % 5 == 0 else "Traitée"), done
        if rng.random() < 0.05:
            statut = "Sans suite"
        if done > AS_OF or rng.random() < 0.015:
            statut, treated = ("En cours" if rng.random() < 0.6 else "Ouverte"), None
        text = texts[int(rng.integers(len(texts)))]
        rows.append([f"RU-2025-{n:04d}", datetime.combine(day, datetime.min.time()), canaux[c],
                     quartier, theme, service, statut,
                     datetime.combine(treated, datetime.min.time()) if treated else None, text])  # fmt: skip
    header = ["N°", "Date", "Canal", "Quartier", "Thème", "Service saisi", "Statut",
              "Date de traitement", "Description"]  # fmt: skip
    sheet = [[f"Remontées des usagers 2025 — {model.nom} — {FICTIF}"],
             [f"Extraction du logiciel de gestion des demandes au {AS_OF:%d/%m/%Y} — {FICTIF}"],
             [], header, *rows]  # fmt: skip
    notice = [[f"Notice — {FICTIF}"],
              ["Une ligne par remontée ; la description ne doit contenir aucune donnée personnelle."]]  # fmt: skip
    name = f"{folder}/remontees_2025.xlsx"
    write_xlsx(dest / name, [("Notice", notice, {"widths": [90]}),
                             ("Remontées 2025", sheet, {"bold": [4], "merge": ["A1:F1"],
                              "widths": [14, 12, 18, 28, 18, 26, 12, 14, 50]})])  # fmt: skip
    return name


AVIS = {  # instance → objets d'avis
    "CCSPL": ["Rapport annuel du délégataire de l'eau potable", "Délégation du réseau de bus",
              "Tarifs de la restauration scolaire", "Gestion de la fourrière",
              "Rapport annuel du chauffage urbain", "Délégation des piscines"],
    "Conseil citoyen": ["Programmation du contrat de ville", "Projet de renouvellement urbain",
                        "Horaires du centre social", "Sécurité aux abords du collège"],
    "Conseil de développement": ["Projet de territoire 2030", "Plan climat"],
}  # fmt: skip
REPONSES = ["Avis présenté en conseil communautaire ; recommandations reprises dans l'avenant.",
            "Réponse écrite du président : deux recommandations sur trois retenues.",
            "Réponse de l'adjoint·e en séance publique ; calendrier de travaux communiqué.",
            "Étude complémentaire engagée, résultats présentés à la séance suivante."]  # fmt: skip


def _instances(dest: Path, folder: str, model: DemoModel, rng) -> dict[str, str]:
    instances = [("CCSPL", "Tout le territoire", 16, 3), ("Conseil de développement", "", 40, 2)]
    for rank in range(min(3, len(model.quartiers))):
        q = model.quartiers[rank]
        instances.append((f"Conseil citoyen — {q.nom}", q.code, 28, 4))
    seances, avis, n_avis = [], [], 0
    for year in (2024, 2025):
        for name, quartier, members, per_year in instances:
            for j in range(per_year):
                month = 1 + j * (12 // per_year) + int(rng.integers(0, 12 // per_year))
                day = date(year, month, int(rng.integers(2, 27)))
                ident = f"SE-{year}-{len(seances) + 1:03d}"
                present = int(rng.binomial(members, 0.62 if name == "CCSPL" else 0.48))
                seances.append([ident, name, day, quartier, present, members])
                kind = "Conseil citoyen" if name.startswith("Conseil citoyen") else name
                if rng.random() < (0.8 if kind == "CCSPL" else 0.35):
                    n_avis += 1
                    objets = AVIS[kind]
                    answer = day + timedelta(days=int(rng.integers(18, 130)))
                    reply = REPONSES[int(rng.integers(len(REPONSES)))]
                    if answer > AS_OF or n_avis % 9 == 4:
                        answer, reply = None, ""
                    avis.append([f"AV-{year}-{n_avis:02d}", name, ident, day,
                                 objets[int(rng.integers(len(objets)))], answer, reply])  # fmt: skip
    seances.sort(key=lambda r: (r[2], r[0]))
    avis.sort(key=lambda r: (r[3], r[0]))

    def fmt(day: date | None) -> str:
        return day.strftime("%d/%m/%Y") if day else ""

    s_rows = [["N°", "Instance", "Date", "Quartier", "Présents", "Membres"]]
    s_rows += [[r[0], r[1], fmt(r[2]), r[3], r[4], r[5]] for r in seances]
    a_rows = [["N°", "Instance", "Séance", "Date de l'avis", "Objet", "Date de réponse",
               "Réponse apportée"]]  # fmt: skip
    a_rows += [[r[0], r[1], r[2], fmt(r[3]), r[4], fmt(r[5]), r[6]] for r in avis]
    write_csv(dest / folder / "instances.csv", s_rows, sep=";", encoding="cp1252",
              newline="\r\n", title=[f"Séances des instances participatives — {FICTIF}"])  # fmt: skip
    write_csv(dest / folder / "avis_instances.csv", a_rows, sep=";", encoding="cp1252",
              newline="\r\n", title=[f"Avis des instances et réponses apportées — {FICTIF}"])  # fmt: skip
    return {"instances": f"{folder}/instances.csv", "avis": f"{folder}/avis_instances.csv"}


def write_suivi(dest: Path, folder: str, model: DemoModel, rng: np.random.Generator) -> dict:
    """Pétitions, signatures, remontées, instances et avis ; renvoie type → chemin relatif."""
    pet_seed, rem_seed, inst_seed = rng.bit_generator.seed_seq.spawn(3)
    files = _petitions(dest, folder, model, np.random.default_rng(pet_seed))
    files["remontees"] = _remontees(dest, folder, model, np.random.default_rng(rem_seed))
    files.update(_instances(dest, folder, model, np.random.default_rng(inst_seed)))
    return files
