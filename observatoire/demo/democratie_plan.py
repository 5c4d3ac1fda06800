"""Programme fictif des démarches de concertation de la démo (sans tirage aléatoire).

Le programme est fixé à la main (dates, niveaux, quartiers par rang dans la liste des
quartiers du modèle) : il sert à la fois au classeur des concertations
(:mod:`observatoire.demo.democratie`) et à la colonne « Démarche » des feuilles de suivi
des rencontres (:mod:`observatoire.demo.participation`), qui rattache une rencontre à la
démarche dont elle relève (:func:`demarche_of`). Aucun tirage : les graines des autres
fichiers ne changent pas.

Exemple ::

    plan = demarches(model)
    demarche_of(model, date(2025, 3, 18), "QN00002A", "Atelier de concertation")
    # 'CONC-2025-01'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from observatoire.demo.model import DemoModel

TERRITORY_LABELS = ("Tous les quartiers", "Tout le territoire")
# date de situation de la démo : ce qui est postérieur est « programmé » ou « en cours »
AS_OF = date(2026, 1, 31)


@dataclass(frozen=True)
class Demarche:
    """Une démarche de concertation fictive."""

    id: str
    objet: str
    service: str
    elu: str  # élu·e référent·e (nom inventé, signalé comme fictif)
    niveau: str  # libellé du fichier (« Co-décision » = co-construction)
    quartiers: tuple[int, ...]  # rangs dans model.quartiers ; () = tout le territoire
    debut: date
    fin: date | None
    dispositifs: tuple[str, ...]
    publics: tuple[str, ...]
    statut: str  # libellé du fichier (« Terminée », « Close », « Prévue »…)
    priorite: str
    date_bilan: date | None
    prochaines_etapes: str
    evenements: tuple[str, ...] = ()  # dispositifs des feuilles de suivi rattachés
    themes: tuple[str, ...] = ()  # thèmes des contributions
    contributions: int = 0  # contributions recueillies (démarches terminées)

    @property
    def terminee(self) -> bool:
        return self.statut in ("Terminée", "Close", "Achevée")


def _d(y: int, m: int, d: int) -> date:
    return date(y, m, d)


PLAN: tuple[Demarche, ...] = (
    Demarche("CONC-2024-01", "Plan local des mobilités douces", "Mobilités",
             "Armelle Brumaire (élue fictive)", "Concertation", (), _d(2024, 2, 1),
             _d(2024, 6, 30), ("Réunion publique", "Balade urbaine", "Questionnaire en ligne"),
             ("Tous publics", "Cyclistes et piétons"), "Terminée", "Haute", _d(2024, 10, 15),
             "Premières pistes cyclables en 2025 ; comité de suivi annuel.",
             ("Balade urbaine",), ("Pistes cyclables", "Sécurité des piétons", "Transports en commun",
                                   "Stationnement"), 64),
    Demarche("CONC-2024-02", "Renouvellement urbain : {q0}", "Renouvellement urbain",
             "Yannick Varech (élu fictif)", "Co-construction", (0,), _d(2024, 3, 4),
             _d(2024, 12, 13), ("Atelier de concertation", "Réunion publique", "Maison du projet"),
             ("Habitants QPV", "Locataires"), "Terminée", "Haute", _d(2025, 3, 20),
             "Plan-guide présenté en conseil communautaire ; ateliers de suivi trimestriels.",
             ("Atelier de concertation", "Réunion publique"),
             ("Logement", "Espaces publics", "Commerces", "Relogement"), 58),
    Demarche("CONC-2024-03", "Charte de la vie nocturne du centre-ville", "Tranquillité publique",
             "Odile Embrunet (élue fictive)", "Information", (), _d(2024, 5, 2),
             _d(2024, 6, 14), ("Réunion publique", "Exposition"), ("Riverains", "Commerçants"),
             "Close", "Basse", None, "Bilan à rédiger.", (), ("Bruit", "Horaires"), 12),
    Demarche("CONC-2024-04", "Nouvelle aire de jeux : {q3}", "Espaces verts",
             "Gaël Salicorne (élu fictif)", "Consultation", (3,), _d(2024, 9, 2),
             _d(2024, 11, 29), ("Questionnaire", "Atelier de concertation"),
             ("Moins de 25 ans", "Familles"), "Terminée", "Moyenne", _d(2025, 1, 31),
             "Travaux au printemps 2025.", ("Atelier de concertation", "Permanence", "Réunion publique"),
             ("Jeux pour enfants", "Ombrage", "Sécurité"), 36),
    Demarche("CONC-2024-05", "Jardins partagés : {q9}", "Espaces verts",
             "Gaël Salicorne (élu fictif)", "Co-construction", (9,), _d(2024, 4, 8),
             _d(2024, 9, 27), ("Atelier de concertation", "Chantier participatif"),
             ("Habitants QPV", "Seniors"), "Achevée", "Moyenne", _d(2024, 12, 5),
             "Association de jardiniers créée ; deuxième parcelle en 2025.",
             ("Atelier de concertation", "Permanence"), ("Parcelles", "Eau", "Animation"), 28),
    Demarche("CONC-2025-01", "Réaménagement de la place centrale : {q1}", "Aménagement urbain",
             "Yannick Varech (élu fictif)", "Concertation", (1, 2), _d(2025, 1, 13),
             _d(2025, 6, 27), ("Atelier de concertation", "Réunion publique", "Balade urbaine"),
             ("Habitants QPV", "Moins de 25 ans", "Personnes maîtrisant peu le français"),
             "Terminée", "Haute", _d(2025, 9, 12),
             "Études de maîtrise d'œuvre en 2026 ; restitution publique avant travaux.",
             ("Atelier de concertation", "Réunion publique"),
             ("Espaces publics", "Stationnement", "Commerces", "Jeux pour enfants", "Propreté"), 52),
    Demarche("CONC-2025-02", "Budget participatif 2025", "Démocratie participative",
             "Armelle Brumaire (élue fictive)", "Co-décision", (), _d(2025, 2, 3),
             _d(2025, 10, 31), ("Plateforme en ligne", "Atelier de concertation", "Vote"),
             ("Tous publics", "Moins de 25 ans"), "Terminée", "Haute", _d(2025, 12, 10),
             "Réalisation des projets lauréats en 2026 ; édition 2026 lancée en février.",
             ("Budget participatif",), ("Cadre de vie", "Sport", "Culture", "Solidarité"), 30),
    Demarche("CONC-2025-03", "Projet éducatif de territoire", "Éducation",
             "Nadège Goémon (élue fictive)", "Consultation", (5, 12), _d(2025, 3, 3),
             _d(2025, 7, 4), ("Questionnaire", "Réunion publique"), ("Parents", "Moins de 25 ans"),
             "Terminée", "Moyenne", _d(2025, 11, 4), "Nouveau projet éducatif voté en décembre 2025.",
             ("Réunion publique",), ("Rythmes scolaires", "Périscolaire", "Cantine"), 34),
    Demarche("CONC-2025-04", "Schéma des équipements sportifs", "Sports",
             "Loïc Aigrette (élu fictif)", "Consultation", (), _d(2025, 9, 15), _d(2026, 2, 27),
             ("Questionnaire en ligne", "Balade urbaine"), ("Tous publics", "Moins de 25 ans"),
             "En cours", "Moyenne", None, "Synthèse des réponses en mars 2026.",
             ("Balade urbaine",)),
    Demarche("CONC-2025-05", "Gestion urbaine de proximité : {q10}", "Gestion urbaine de proximité",
             "Odile Embrunet (élue fictive)", "Concertation", (10,), _d(2025, 10, 6),
             _d(2026, 3, 27), ("Diagnostic en marchant", "Atelier de concertation"),
             ("Locataires", "Habitants QPV"), "En cours", "Haute", None,
             "Plan d'actions avec le bailleur au printemps 2026.",
             ("Atelier de concertation", "Réunion publique")),
    Demarche("CONC-2025-06", "Avenir de la bibliothèque annexe : {q8}", "Culture",
             "Nadège Goémon (élue fictive)", "Information", (8,), _d(2025, 4, 7), None,
             ("Réunion publique",), ("Usagers de la bibliothèque",), "Annulée", "Basse", None,
             "Démarche reportée après le vote du budget.", ()),
    Demarche("CONC-2026-01", "Maison de santé : {q11} et {q13}", "Santé",
             "Loïc Aigrette (élu fictif)", "Information", (11, 13), _d(2026, 3, 2),
             _d(2026, 5, 29), ("Réunion publique", "Permanence"), ("Seniors", "Habitants QPV"),
             "Prévue", "Haute", None, "Réunion de lancement en mars 2026.", ()),
    Demarche("CONC-2026-02", "Budget participatif 2026", "Démocratie participative",
             "Armelle Brumaire (élue fictive)", "Co-décision", (), _d(2026, 2, 2),
             _d(2026, 10, 30), ("Plateforme en ligne", "Vote"), ("Tous publics", "Moins de 25 ans"),
             "À venir", "Haute", None, "Dépôt des projets du 2 février au 30 mars 2026.", ()),
)  # fmt: skip


def codes(model: DemoModel, demarche: Demarche) -> list[str]:
    """Codes des quartiers de la démarche (rangs pris modulo le nombre de quartiers)."""
    n = len(model.quartiers)
    return sorted({model.quartiers[i % n].code for i in demarche.quartiers})


def objet(model: DemoModel, demarche: Demarche) -> str:
    """Objet de la démarche, noms des quartiers du modèle insérés."""
    n = len(model.quartiers)
    names = {f"q{i}": model.quartiers[i % n].nom for i in range(14)}
    return demarche.objet.format(**names)


def demarches(model: DemoModel) -> list[Demarche]:
    """Le programme des démarches (même ordre que le classeur)."""
    del model  # le programme ne dépend que des rangs des quartiers
    return list(PLAN)


def _cell_codes(model: DemoModel, cell: object) -> set[str] | None:
    """Codes d'une cellule « Quartier(s) » des feuilles de suivi ; None = tout le territoire."""
    text = str(cell)
    if text in TERRITORY_LABELS:
        return None
    by_name = {q.nom: q.code for q in model.quartiers}
    return {by_name.get(part, part) for part in text.split(";")}


def demarche_of(model: DemoModel, day: date, cell: object, dispositif: str) -> str:
    """Identifiant de la démarche dont relève une rencontre des feuilles de suivi, ou ``""``.

    Une rencontre relève d'une démarche quand son dispositif est l'un de ceux que la
    démarche rattache, que sa date tombe entre le début et la fin et que ses quartiers
    touchent ceux de la démarche (une démarche de tout le territoire les prend tous).
    """
    cell_codes = _cell_codes(model, cell)
    for d in PLAN:
        if dispositif not in d.evenements or d.fin is None or not d.debut <= day <= d.fin:
            continue
        wanted = codes(model, d)
        if not wanted or (cell_codes is not None and cell_codes & set(wanted)):
            return d.id
    return ""
