"""Sections des rapports : fonctions ``(obs, …) -> list[Block]`` appelées par les notebooks.

Les notebooks restent minces (un appel par section) ; les tests appellent les mêmes
fonctions sans notebook. Une section sans données renvoie une phrase (bloc ``absent``).

Exemple ::

    from observatoire.publish.sections import quartier, show
    q = quartier.contexte(obs, "QN00001A", None)
    show(quartier.portrait(obs, q))
"""

from __future__ import annotations

import os
import weakref
from collections.abc import Callable, Hashable, Iterable
from typing import Any

from observatoire.publish import blocks

_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
Blocks = list[blocks.Block | None]


def show(items: Iterable[blocks.Block | None]) -> None:
    """Affiche des blocs dans le notebook (sorties publiées par le rendu)."""
    from IPython.display import display

    for item in items:
        if item is not None:
            display(item)


def cached(obs: Any, key: Hashable, compute: Callable[[], Any]) -> Any:
    """Résultat calculé une fois par territoire chargé (partagé entre sections et rapports)."""
    store = _CACHE.setdefault(obs, {})
    if key not in store:
        store[key] = compute()
    return store[key]


def quartiers(obs: Any) -> Any:
    """``obs.quartiers``, calculé une fois par territoire (table partagée : ne pas la modifier)."""
    return cached(obs, "quartiers", lambda: obs.quartiers)


def catalogue_index(obs: Any) -> Any:
    """Catalogue indexé par identifiant (une fois par territoire ; ne pas le modifier)."""
    return cached(obs, "catalogue", lambda: obs.catalogue.drop_duplicates("id").set_index("id"))


def territory_names(obs: Any) -> Any:
    """Noms des territoires indexés par ``(niveau, code)`` (une fois par territoire)."""
    return cached(
        obs,
        "noms",
        lambda: obs.territoires.drop_duplicates(["niveau", "code"]).set_index(["niveau", "code"])[
            "nom"
        ],
    )


def fictif_suffix(obs: Any) -> str:
    """`` — Données fictives`` pour le territoire de démonstration."""
    return " — Données fictives" if obs.fictif else ""


def absent(message: str) -> Blocks:
    """Une section sans données : une phrase."""
    return [blocks.absent(message, display=False)]


FORMATS_ENV = "OBSERVATOIRE_FORMATS"


def wanted_formats() -> tuple[str, ...]:
    """Formats que le rendu produira (``OBSERVATOIRE_FORMATS``, posé par ``produce_report``).

    Hors rendu (JupyterLab), les deux : ``("html", "pdf")``.
    """
    value = os.environ.get(FORMATS_ENV, "html,pdf")
    return tuple(f.strip() for f in value.split(",") if f.strip())
