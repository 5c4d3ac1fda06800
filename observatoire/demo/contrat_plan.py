"""Simulation (pure) de trois années de programmation fictive du contrat de ville.

Porteurs inventés (associations, centres sociaux, régies…), actions reconduites
d'une année sur l'autre, statuts, montants par financeur, bénéficiaires. Tout est
fictif ; les identifiants (RNA ``W00…``, SIRET ``000…``) ne désignent personne.

Exemple ::

    dossiers = simulate(np.random.default_rng(1), model, [2024, 2025, 2026])
    len(dossiers) >= 400
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from observatoire.demo.model import DemoModel

YEARS = (2024, 2025, 2026)
PER_YEAR = 150

# (pilier historique, priorité « Quartiers 2030 », thématique, intitulés possibles)
TEMPLATES = [
    ("Cohésion sociale", "Réussite éducative et jeunesse", "Éducation",
     ["Accompagnement à la scolarité", "Ateliers lecture et écriture", "Club de devoirs",
      "Séjours éducatifs de proximité"]),
    ("Cohésion sociale", "Santé et accès aux droits", "Santé",
     ["Ateliers santé de quartier", "Prévention des conduites à risque", "Bien manger petit budget"]),
    ("Cohésion sociale", "Santé et accès aux droits", "Accès aux droits",
     ["Permanence d'accès aux droits", "Écrivain public", "Point conseil budget"]),
    ("Cohésion sociale", "Culture, sport et citoyenneté", "Culture",
     ["Atelier théâtre", "Fête de quartier", "Chorale intergénérationnelle", "Résidence d'artistes"]),
    ("Cohésion sociale", "Culture, sport et citoyenneté", "Sport",
     ["Sport au pied des immeubles", "École de natation", "Boxe éducative"]),
    ("Cohésion sociale", "Réussite éducative et jeunesse", "Parentalité",
     ["Café des parents", "Ateliers parents-enfants"]),
    ("Cadre de vie et renouvellement urbain", "Transition écologique", "Environnement",
     ["Jardins partagés", "Compostage collectif", "Ateliers de réparation"]),
    ("Cadre de vie et renouvellement urbain", "Tranquillité publique et prévention", "Tranquillité",
     ["Médiation sociale de nuit", "Correspondants de quartier", "Chantiers éducatifs"]),
    ("Cadre de vie et renouvellement urbain", "Logement et cadre de vie", "Habitat",
     ["Gestion urbaine de proximité", "Ateliers d'auto-réhabilitation"]),
    ("Emploi et développement économique", "Emploi et insertion professionnelle", "Insertion",
     ["Chantier d'insertion", "Accompagnement renforcé vers l'emploi", "Job dating de quartier"]),
    ("Emploi et développement économique", "Emploi et insertion professionnelle", "Langue",
     ["Français à visée professionnelle", "Ateliers sociolinguistiques"]),
    ("Emploi et développement économique", "Emploi et insertion professionnelle", "Création d'activité",
     ["Couveuse d'entreprises", "Permanence création d'activité", "Médiation numérique"]),
]  # fmt: skip

_KINDS = ["Association", "Centre social", "Maison de quartier", "Compagnie", "Collectif",
          "Club", "Régie de quartier", "Atelier", "Amicale"]  # fmt: skip
_WORDS = ["des Embruns", "Cap Horizon", "la Boussole", "l'Estran", "les Goélands", "Marée Haute",
          "la Passerelle", "le Phare", "Vent du Large", "les Mouettes", "l'Archipel", "la Vigie",
          "Terre d'Écume", "Brume et Sel", "le Sillage", "la Balise", "les Oyats", "Grand Large",
          "l'Amer", "la Houle", "le Chenal", "les Salines", "Port d'Attache", "la Grève"]  # fmt: skip
FINANCEURS = ("etat", "epci", "commune", "departement", "caf", "bailleurs")


@dataclass
class Porteur:
    nom: str
    ident: str


@dataclass
class Dossier:
    numero: str
    annee: int
    intitule: str
    porteur: Porteur
    template: int
    quartiers: str  # cellule telle qu'écrite dans le classeur
    commune: str
    statut: str
    demande: dict[str, float] = field(default_factory=dict)
    accorde: dict[str, float] = field(default_factory=dict)
    verse: dict[str, float] = field(default_factory=dict)
    prevus: int | None = None
    realises: int | None = None
    dont_qpv: int | None = None
    reconduite: bool = False


def _porteur(rng: np.random.Generator, n: int) -> Porteur:
    nom = f"{_KINDS[rng.integers(len(_KINDS))]} {_WORDS[n % len(_WORDS)]}"
    if n >= len(_WORDS):
        nom += f" {n // len(_WORDS) + 1}"
    if rng.random() < 0.7:
        ident = f"W00{1000000 + n:07d}"  # RNA fictif (département 00)
    else:
        ident = f"000{100000000 + n:09d}00{n % 10}{(n * 7) % 10}"[:14]  # SIRET fictif
    return Porteur(nom, ident)


def _targets(rng: np.random.Generator, model: DemoModel, p: np.ndarray) -> tuple[str, str]:
    """Cellule « quartier(s) » et commune de l'action (quartier tiré selon ``p``)."""
    qs = model.quartiers
    roll = rng.random()
    communes = [c for c in model.communes if model.quartiers_de(c.code)]
    if roll < 0.12 and communes:
        com = communes[rng.integers(len(communes))]
        return f"Tous les QPV de {com.nom}", ""
    if roll < 0.17 and communes:
        com = communes[rng.integers(len(communes))]
        return "tous les QPV de la commune", com.nom
    if roll < 0.32 and len(qs) > 1:
        k = int(rng.integers(2, min(3, len(qs)) + 1))
        picks = rng.choice(len(qs), size=k, replace=False, p=p)
        return " ; ".join(qs[i].code for i in sorted(picks)), ""
    q = qs[int(rng.choice(len(qs), p=p))]
    return (q.nom if rng.random() < 0.3 else q.code), ""


def _status(rng: np.random.Generator, year: int) -> str:
    table = {
        2024: (["soldé", "accordé", "refusé", "abandonné"], [0.84, 0.05, 0.08, 0.03]),
        2025: (["accordé", "soldé", "refusé", "abandonné"], [0.72, 0.15, 0.10, 0.03]),
        2026: (["accordé", "en instruction", "déposé", "refusé"], [0.62, 0.18, 0.10, 0.10]),
    }
    labels, probs = table.get(year, table[2026])
    return str(rng.choice(labels, p=probs))


def _amounts(rng: np.random.Generator, d: Dossier, last_year: int) -> None:
    base = float(np.clip(rng.lognormal(np.log(7000), 0.7), 1000, 60000))
    d.demande["etat"] = round(base / 100) * 100
    for key, prob, share in (("epci", 0.45, 0.6), ("commune", 0.6, 0.5), ("departement", 0.2, 0.4),
                             ("caf", 0.25, 0.35), ("bailleurs", 0.12, 0.3)):  # fmt: skip
        if rng.random() < prob:
            d.demande[key] = round(base * share * rng.uniform(0.5, 1.5) / 50) * 50
    granted = d.statut in ("accordé", "soldé")
    for key, asked in d.demande.items():
        if d.statut in ("déposé", "en instruction"):
            continue
        if not granted:
            d.accorde[key] = 0.0
            continue
        factor = 1.0 if rng.random() < 0.45 else rng.uniform(0.55, 0.95)
        d.accorde[key] = round(asked * factor / 50) * 50
        if factor < 1 and rng.random() < 0.1:  # quelques centimes, comme dans les vrais classeurs
            d.accorde[key] = round(d.accorde[key] - float(rng.integers(1, 99)) / 100, 2)
    if granted and d.annee < last_year:
        for key in ("etat", "epci"):
            if key in d.accorde:
                paid = 1.0 if d.statut == "soldé" else rng.uniform(0.5, 0.8)
                d.verse[key] = round(d.accorde[key] * paid, 2)


def _beneficiaries(rng: np.random.Generator, d: Dossier, last_year: int) -> None:
    if d.statut in ("refusé", "abandonné"):
        return
    d.prevus = int(rng.integers(10, 300))
    if d.annee < last_year - 1 or d.statut == "soldé":
        d.realises = int(d.prevus * rng.uniform(0.55, 1.2))
        if rng.random() < 0.6:
            d.dont_qpv = int(d.realises * rng.uniform(0.5, 0.95))


def simulate(
    rng: np.random.Generator, model: DemoModel, years: tuple[int, ...] = YEARS
) -> list[Dossier]:
    """Dossiers fictifs sur ``years`` (≈ 150 par an), reconduits à ~70 % d'une année à l'autre."""
    pool = [_porteur(rng, n) for n in range(70)]
    # tirage des quartiers au prorata de la population, sauf un quartier délaissé
    p = np.array([max(q.population, 1) for q in model.quartiers], dtype=float)
    if len(p) > 2:
        p[int(rng.integers(len(p)))] *= 0.35
    p /= p.sum()
    dossiers: list[Dossier] = []
    previous: list[Dossier] = []
    for year in years:
        current: list[Dossier] = []
        for old in previous:
            if old.statut in ("accordé", "soldé") and rng.random() < 0.7:
                quartiers, commune = old.quartiers, old.commune
                current.append(Dossier("", year, old.intitule, old.porteur, old.template,
                                       quartiers, commune, "", reconduite=True))  # fmt: skip
        while len(current) < PER_YEAR:
            if rng.random() < 0.12:
                pool.append(_porteur(rng, len(pool)))
                porteur = pool[-1]
            else:
                porteur = pool[int(rng.integers(len(pool)))]
            t = int(rng.integers(len(TEMPLATES)))
            titles = TEMPLATES[t][3]
            quartiers, commune = _targets(rng, model, p)
            current.append(Dossier("", year, titles[int(rng.integers(len(titles)))], porteur, t,
                                   quartiers, commune, ""))  # fmt: skip
        for i, d in enumerate(current, start=1):
            d.numero = f"CV{year}-{i:03d}"
            d.statut = _status(rng, year)
            _amounts(rng, d, years[-1])
            _beneficiaries(rng, d, years[-1])
        if year == years[1]:  # un complément accordé au-delà de la demande (avertissement)
            first = next(d for d in current if d.accorde.get("etat"))
            first.accorde["etat"] = first.demande["etat"] + 1500
        dossiers += current
        previous = current
    return dossiers
