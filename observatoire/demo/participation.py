"""Fichiers de démonstration de la participation des habitants (tout est fictif).

Sous ``dest/participation`` :
- ``suivi_rencontres_2023-2024.csv`` : feuille tenue à la main (Windows-1252, « ; »,
  ligne de titre, note sous le tableau), quartiers par code ou par nom ;
- ``suivi_rencontres_2025.xlsx`` : même suivi pour 2025 (feuille « Notice » + feuille
  « Rencontres 2025 », dates Excel) ;
- ``decidim_rencontres.csv`` et ``decidim_rencontres_2025.csv`` : exports des rencontres
  Decidim 0.27 puis 0.30, aux formes réelles des sérialiseurs (:mod:`observatoire.demo.decidim`) ;
- ``presences_conseils_citoyens.csv`` : présences individuelles aux conseils citoyens
  de quelques quartiers (identifiants pseudonymes tenus par les conseils) ;
- ``emargement_atelier.csv`` : UNE feuille d'émargement transcrite avec noms, e-mails
  et téléphones FICTIFS (e-mails en example.org, numéros de la plage 06 39 98 réservée
  à la fiction), chargée avec ``pseudonymiser = true`` et la clé de démonstration
  publique (``cle_demonstration = true``).

Participation simulée : les 45-74 ans et les femmes viennent plus, les 15-29 ans
beaucoup moins (les « publics éloignés » apparaissent dans les analyses).

Exemple ::

    fragment = generate(Path("/tmp/demo"), model, np.random.default_rng(1))
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np

from observatoire.demo.decidim import generate_decidim
from observatoire.demo.democratie_plan import demarche_of
from observatoire.demo.files import write_csv, write_xlsx
from observatoire.demo.model import FICTIF, DemoModel

DIR = "participation"
YEARS = (2023, 2024, 2025)
BANDS = ("0-14 ans", "15-29 ans", "30-44 ans", "45-59 ans", "60-74 ans", "75 ans et plus")
AGE_P = np.array([0.02, 0.07, 0.19, 0.28, 0.30, 0.14])  # participants (pyramide ≠)
# dispositif → (rencontres par an et par quartier, participants moyens)
PER_QUARTIER = {
    "Conseil citoyen": (4, 11),
    "Permanence": (2, 6),
    "Réunion publique": (1, 38),
    "Atelier de concertation": (1, 16),
}
TERRITORY = {"CCSPL": (3, 9), "Budget participatif": (2, 70), "Balade urbaine": (2, 18)}
HEADER = ["N°", "Date", "Quartier(s)", "Dispositif", "Objet", "Participants", "Dont femmes",
          "Dont hommes", *BANDS, "Dont habitants QPV", "Démarche"]  # fmt: skip
FIRST = ["Camille", "Karim", "Louise", "Thomas", "Nadia", "Julien", "Fatou", "Hugo",
         "Claire", "Mehdi", "Inès", "Paul"]  # fmt: skip
LAST = ["Durand", "Benali", "Martin", "Nguyen", "Lefebvre", "Diallo", "Moreau", "Girard",
        "Roux", "Haddad", "Fontaine", "Lambert"]  # fmt: skip


def _date(rng: np.random.Generator, year: int) -> date:
    return date(year, 1, 1) + timedelta(days=int(rng.integers(5, 350)))


def _breakdown(rng: np.random.Generator, n: int, qpv_share: float) -> list[object]:
    """Ventilations facultatives (sexe ~60 %, âge ~35 %, QPV ~50 % des lignes)."""
    cells: list[object] = [""] * 9
    if rng.random() < 0.6:
        women = int(rng.binomial(n, 0.58))
        cells[0:2] = [women, n - women]
    if rng.random() < 0.35:
        cells[2:8] = [int(x) for x in rng.multinomial(n, AGE_P)]
    if rng.random() < 0.5:
        cells[8] = int(rng.binomial(n, qpv_share))
    return cells


def _sheet_rows(rng: np.random.Generator, model: DemoModel, excluded: set[str]):
    """Lignes des feuilles de suivi (par année) et événements dont on a les présences."""
    quartiers = model.quartiers
    rows: dict[int, list[list[object]]] = {y: [] for y in YEARS}
    for year in YEARS:
        growth = 1 + 0.08 * (year - YEARS[0])
        for i, q in enumerate(quartiers):
            for dispositif, (per_year, mean) in PER_QUARTIER.items():
                for _ in range(per_year + int(rng.integers(0, 2))):
                    if dispositif == "Conseil citoyen" and q.code in excluded:
                        continue  # présences individuelles : voir _presences
                    n = int(rng.poisson(mean * growth))
                    cell: object = q.code
                    draw = rng.random()
                    if draw < 0.1:
                        cell = q.nom
                    elif draw < 0.15 and i + 1 < len(quartiers):
                        cell = f"{q.code};{quartiers[i + 1].code}"
                    count: object = n if rng.random() > 0.02 else "nd"
                    extra = _breakdown(rng, n, 0.72) if count != "nd" else [""] * 9
                    rows[year].append([_date(rng, year), cell, dispositif, count, *extra])
        for dispositif, (per_year, mean) in TERRITORY.items():
            for _ in range(per_year):
                n = int(rng.poisson(mean * growth))
                rows[year].append(
                    [_date(rng, year), "Tous les quartiers", dispositif, n,
                     *_breakdown(rng, n, 0.45)]
                )  # fmt: skip
    return rows


def _active_years(rng: np.random.Generator) -> dict[int, bool]:
    """Années où un membre vient : 55 % la 1re année ; d'une année à l'autre, 60 % restent
    et 25 % des autres arrivent (fidélisation simulée autour de 60 %)."""
    active = {YEARS[0]: bool(rng.random() < 0.55)}
    for year in YEARS[1:]:
        active[year] = bool(rng.random() < (0.6 if active[year - 1] else 0.25))
    return active


def _presences(rng: np.random.Generator, model: DemoModel, codes: list[str]):
    """Conseils citoyens suivis nominativement (pseudonymes) : rangées et événements."""
    events, presences = [], []
    for k, code in enumerate(codes):
        members = []
        for m in range(28):
            members.append({
                "id": f"CC{k + 1}-{m + 1:03d}",
                "sexe": "F" if rng.random() < 0.6 else "H",
                "age": BANDS[int(rng.choice(6, p=AGE_P))].replace(" ans", "").replace(" et plus", "+"),
                "qpv": "oui" if rng.random() < 0.85 else "non",
                "actif": _active_years(rng),
                "assiduite": float(rng.uniform(0.3, 0.9)),
            })  # fmt: skip
        for year in YEARS:
            for j in range(6):
                day = date(year, 2 * j + 1, int(rng.integers(3, 26)))
                ident = f"CC-{code}-{year}-{j + 1}"
                present = [m for m in members if m["actif"][year] and rng.random() < m["assiduite"]]
                events.append([ident, day, code, "Conseil citoyen", len(present)])
                for m in present:
                    presences.append([ident, m["id"], m["sexe"], m["age"], m["qpv"]])
    return events, presences


def _signin(rng: np.random.Generator) -> list[list[object]]:
    rows = [["Nom", "Prénom", "E-mail", "Téléphone", "Tranche d'âge", "Sexe",
             "Habite le quartier", "Signature"]]  # fmt: skip
    for i, (first, last) in enumerate(zip(FIRST, LAST, strict=True)):
        email = f"{first.lower().replace('è', 'e')}.{last.lower()}@example.org" if i % 3 else ""
        phone = f"06 39 98 {i // 10:02d} {i:02d}" if i % 4 else ""
        band = ("15-29", "30-44", "45-59", "60-74")[int(rng.integers(0, 4))]
        sex = "F" if first in ("Camille", "Louise", "Nadia", "Fatou", "Claire", "Inès") else "H"
        rows.append(
            [last.upper(), first, email, phone, band, sex, "oui" if i % 5 else "non", "signé"]
        )
    return rows


def generate(dest: Path, model: DemoModel, rng: np.random.Generator) -> str:
    """Écrit les fichiers de participation sous ``dest/participation`` ; renvoie le TOML."""
    out = Path(dest) / DIR
    tracked = [q.code for q in model.quartiers[:3]]
    rows = _sheet_rows(rng, model, set(tracked))
    cc_events, presences = _presences(rng, model, tracked)
    for ident, day, code, dispositif, n in cc_events:
        rows[day.year].append([day, code, dispositif, n, *[""] * 9, ident])
    atelier = [date(2025, 3, 18), model.quartiers[1].code, "Atelier de concertation", len(FIRST)]
    rows[2025].append([*atelier, *[""] * 9, "AT-2025-EMARGEMENT"])
    table: dict[int, list[list[object]]] = {}
    for year in YEARS:
        ordered = sorted(rows[year], key=lambda r: (r[0], str(r[1]), r[2]))
        table[year] = []
        for n, r in enumerate(ordered, start=1):
            ident = r[13] if len(r) > 13 else f"R{year}-{n:03d}"
            objet = f"{r[2]} n° {n}"
            demarche = demarche_of(model, r[0], r[1], r[2])  # démarche de concertation
            table[year].append([ident, r[0], r[1], r[2], objet, *r[3:13], demarche])
    csv_rows = [HEADER]
    for year in YEARS[:2]:
        for n, r in enumerate(table[year]):
            day = r[1].isoformat() if n % 11 == 5 else r[1].strftime("%d/%m/%Y")  # dates mêlées
            csv_rows.append([r[0], day, *r[2:]])
    write_csv(out / "suivi_rencontres_2023-2024.csv", csv_rows, sep=";", encoding="cp1252",
              newline="\r\n", title=[f"Suivi de la participation des habitants — {model.nom} — {FICTIF}"],
              notes=["nd : participants non décomptés. Source : service politique de la ville (fictif)."])  # fmt: skip
    sheet = [[f"Rencontres avec les habitants — 2025 — {FICTIF}"], [], HEADER]
    sheet += [[r[0], datetime.combine(r[1], datetime.min.time()), *r[2:]] for r in table[2025]]
    notice = [[f"Notice — {FICTIF}"], ["Une ligne par rencontre ; effectifs comptés à l'entrée."]]
    write_xlsx(out / "suivi_rencontres_2025.xlsx", [("Notice", notice, {}),
               ("Rencontres 2025", sheet, {"bold": [3], "merge": ["A1:F1"]})])  # fmt: skip
    # générateur propre (SeedSequence.spawn ne consomme pas les tirages des autres fichiers)
    decidim_rng = np.random.default_rng(rng.bit_generator.seed_seq.spawn(1)[0])
    rows_027, rows_030, decidim_toml = generate_decidim(decidim_rng, model)
    write_csv(out / "decidim_rencontres.csv", rows_027, sep=";")
    write_csv(out / "decidim_rencontres_2025.csv", rows_030, sep=";")
    write_csv(out / "presences_conseils_citoyens.csv",
              [["evenement", "personne", "sexe", "tranche d'âge", "habite un QPV"], *presences],
              sep=",", encoding="utf-8-sig")  # fmt: skip
    write_csv(out / "emargement_atelier.csv", _signin(rng), sep=";",
              title=[f"Feuille d'émargement — atelier de concertation du 18/03/2025 — personnes fictives ({FICTIF})"])  # fmt: skip
    return _toml(decidim_toml)


def _toml(decidim: str) -> str:
    return f'''
# ---------------------------------------------------------------------
# Participation des habitants ({FICTIF})
# ---------------------------------------------------------------------
# Feuille de suivi tenue à la main : une ligne par rencontre. Les quartiers sont
# donnés par code ou par nom ; « Tous les quartiers » = tout le territoire.
[sources.rencontres_2023_2024]
type = "evenements"
fichier = "{DIR}/suivi_rencontres_2023-2024.csv"
colonnes = {{ id = "N°", quartier = "Quartier(s)", titre = "Objet", age_75_plus = "75 ans et plus", femmes = "Dont femmes", hommes = "Dont hommes", habitants_qpv = "Dont habitants QPV" }}

# Même suivi pour 2025, dans un classeur (feuille « Rencontres 2025 »).
[sources.rencontres_2025]
type = "evenements"
fichier = "{DIR}/suivi_rencontres_2025.xlsx"
feuille = "Rencontres 2025"
colonnes = {{ id = "N°", quartier = "Quartier(s)", titre = "Objet", age_75_plus = "75 ans et plus", femmes = "Dont femmes", hommes = "Dont hommes", habitants_qpv = "Dont habitants QPV" }}

{decidim}
# Présences individuelles aux conseils citoyens (identifiants déjà pseudonymes).
[sources.presences_conseils_citoyens]
type = "presences"
fichier = "{DIR}/presences_conseils_citoyens.csv"

# Feuille d'émargement transcrite : elle contient des noms, e-mails et téléphones
# (FICTIFS). Sans « pseudonymiser = true », observatoire la refuse. Avec, ces
# colonnes sont supprimées à la lecture et remplacées par un pseudonyme HMAC-SHA256.
# La démonstration utilise une clé PUBLIQUE, non secrète (cle_demonstration = true,
# admise seulement pour un territoire fictif). Pour de vraies données, remplacez-la
# par fichier_cle = "chemin/hors/du/depot" ou la variable OBSERVATOIRE_CLE.
[sources.emargement_atelier]
type = "presences"
fichier = "{DIR}/emargement_atelier.csv"
evenement = "AT-2025-EMARGEMENT"
colonnes = {{ habite_qpv = "Habite le quartier" }}
pseudonymiser = true
cle_demonstration = true

[rapports.participation]
# « Publics éloignés » : groupes au moins 2 fois moins présents que dans la population.
facteur_sous_representation = 2
# Tranches d'âge retirées de la représentativité (les enfants ne sont pas le public visé).
tranches_age_exclues = ["0-14"]
'''
