"""Description en mémoire du territoire fictif, partagée par les générateurs de démo.

Le générateur de géographie (:mod:`observatoire.demo.geography`) construit un
:class:`DemoModel` ; les générateurs d'indicateurs, de participation et du contrat
de ville le lisent pour écrire leurs fichiers. Tout y est fictif.
"""

from __future__ import annotations

from dataclasses import dataclass, field

FICTIF = "Données fictives"


@dataclass
class DemoCommune:
    code: str  # ex. "00101" (département fictif 00)
    nom: str
    population: int
    epci: str = ""  # SIREN de l'EPCI (vide : celui du modèle)
    departement: str = ""  # code du département (vide : celui du modèle)


@dataclass
class DemoEpci:
    """Un EPCI fictif (le territoire « national » synthétique en compte beaucoup)."""

    code: str
    nom: str
    departement: str


@dataclass
class DemoQuartier:
    code: str  # 2024 : "QN00001A" ; 2015 : "QP000001"
    nom: str
    communes: list[str]  # codes commune (un quartier peut en couvrir plusieurs)
    population: int
    generation: int  # 2015 ou 2024


@dataclass
class DemoModel:
    """Le territoire fictif : communes, EPCI, quartiers des deux générations."""

    nom: str
    epci_code: str
    epci_nom: str
    departement_code: str
    departement_nom: str
    communes: list[DemoCommune]
    quartiers: list[DemoQuartier]  # génération 2024 (en vigueur)
    quartiers_2015: list[DemoQuartier] = field(default_factory=list)
    # (code_2015, code_2024, part de population, relation) ; relation ∈ identique,
    # scission, fusion, modification, sortie (code_2024 vide), entree (code_2015 vide)
    correspondances: list[tuple[str | None, str | None, float | None, str]] = field(
        default_factory=list
    )
    annees: list[int] = field(default_factory=lambda: [2018, 2020, 2021])
    seed: int = 2024
    # millésimes publiés dans la géographie 2015
    annees_2015: list[int] = field(default_factory=lambda: [2016, 2018])
    # tous les EPCI et départements (le premier est celui de epci_code / departement_code)
    epcis: list[DemoEpci] = field(default_factory=list)
    departements: list[tuple[str, str]] = field(default_factory=list)
    region_code: str = "00"
    region_nom: str = "Région fictive"

    def _index(self, name: str, items: list, build) -> dict:
        """Index mis en cache, reconstruit si la liste indexée change de taille."""
        key = tuple((id(i), len(i)) for i in items)
        cache = self.__dict__.get(name)
        if cache is None or cache[0] != key:
            cache = (key, build())
            self.__dict__[name] = cache
        return cache[1]

    def quartier(self, code: str) -> DemoQuartier:
        lists = [self.quartiers, self.quartiers_2015]
        index = self._index(
            "_by_quartier", lists, lambda: {q.code: q for q in self.quartiers_2015 + self.quartiers}
        )
        return index[code]

    def commune(self, code: str) -> DemoCommune:
        index = self._index(
            "_by_commune", [self.communes], lambda: {c.code: c for c in self.communes}
        )
        return index[code]

    def quartiers_de(self, commune_code: str) -> list[DemoQuartier]:
        """Quartiers 2024 qui touchent la commune (index reconstruit si la liste change)."""

        def build() -> dict[str, list[DemoQuartier]]:
            index: dict[str, list[DemoQuartier]] = {}
            for q in self.quartiers:
                for c in q.communes:
                    index.setdefault(c, []).append(q)
            return index

        return list(self._index("_quartiers_de", [self.quartiers], build).get(commune_code, []))
