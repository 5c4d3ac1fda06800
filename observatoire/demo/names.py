"""Noms inventés du territoire fictif (communes, quartiers, agglomérations).

Les noms de l'agglomération de démonstration sont choisis à la main pour ne
désigner aucun lieu réel connu ; au-delà (territoire « national » synthétique),
ils sont composés de syllabes improbables.

Exemple ::

    >>> commune_names(np.random.default_rng(0), 3)[:2]
    ['Valbrume', 'Kerzévanne']
"""

from __future__ import annotations

import numpy as np

AGGLO_NAME = "Valbrume"

COMMUNES = [
    "Valbrume",
    "Kerzévanne",
    "Ostrelune",
    "Port-Églantin",
    "Brumaillac",
    "Sainte-Oriabelle",
    "Morgavel-sur-Brume",
    "Lestranvic",
]

QUARTIERS = [
    "Hauts de Brumehaut",
    "Cité des Embruns",
    "Les Salicornes",
    "Quai des Varechs",
    "La Cormorandière",
    "Plateau des Aigrettes",
    "Bois-Sirène",
    "Les Terrasses d'Orval-Marin",
    "Champ-Balise",
    "La Grande Écume",
    "Les Jardins du Ressac",
    "Résidence des Mouettes-Grises",
    "Clos-Vigie",
    "Les Hautes-Laisses",
    "Rive des Goémoniers",
    "Cour de l'Astrolabe",
    "La Brumerie",
    "Les Pierres-Sonnantes",
    "Pré-Sablon",
    "Les Quatre-Amers",
]

_START = ["Bru", "Kel", "Vor", "Ost", "Mar", "Lan", "Sal", "Ker", "Tré", "Gal", "Pol", "Zé", "Quin"]
_MID = ["me", "za", "ri", "vel", "lo", "ma", "né", "ba", "ru", "ven", "di", "sa"]
_END = ["brac", "lune", "zanne", "vic", "mor", "sac", "zelle", "bruge", "vanne", "lès", "nac"]
_PREFIX = ["", "", "", "Saint-", "Sainte-", "Port-", "Mont-"]
_SUFFIX = ["", "", "", "-sur-Brume", "-les-Embruns", "-la-Marine"]
_Q_HEAD = ["Les Hauts de", "Cité", "Les Jardins de", "Plateau de", "Quai de", "Résidence"]
_Q_TAIL = ["la Balise", "l'Écume", "la Vigie", "l'Amer", "la Laisse", "la Dune", "la Houle"]


def invented_word(rng: np.random.Generator) -> str:
    """Un mot inventé de deux ou trois syllabes."""
    parts = [str(rng.choice(_START))]
    if rng.random() < 0.6:
        parts.append(str(rng.choice(_MID)))
    parts.append(str(rng.choice(_END)))
    return "".join(parts)


def commune_names(rng: np.random.Generator, count: int, offset: int = 0) -> list[str]:
    """``count`` noms de communes distincts ; les premiers sont ceux de la démo."""
    names: list[str] = []
    seen: set[str] = set()
    for i in range(count):
        if offset == 0 and i < len(COMMUNES):
            name = COMMUNES[i]
        else:
            name = ""
            while not name or name in seen:
                name = str(rng.choice(_PREFIX)) + invented_word(rng) + str(rng.choice(_SUFFIX))
        seen.add(name)
        names.append(name)
    return names


def quartier_names(rng: np.random.Generator, count: int, first_agglo: bool) -> list[str]:
    """``count`` noms de quartiers distincts (ceux de la démo d'abord)."""
    names: list[str] = []
    seen: set[str] = set()
    for i in range(count):
        if first_agglo and i < len(QUARTIERS):
            name = QUARTIERS[i]
        else:
            name = ""
            while not name or name in seen:
                head = str(rng.choice(_Q_HEAD))
                tail = invented_word(rng) if rng.random() < 0.6 else str(rng.choice(_Q_TAIL))
                name = f"{head} {tail}"
        seen.add(name)
        names.append(name)
    return names
