"""observatoire — atelier d'observation de la politique de la ville.

Exemple ::

    import observatoire
    obs = observatoire.open("data/demo/observatoire.toml")
    obs.valeurs.head()
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "open"]


def open(config: str = "observatoire.toml"):  # noqa: A001 - nom voulu : observatoire.open(...)
    """Ouvre un territoire configuré et renvoie un objet :class:`Observatoire`.

    >>> obs = observatoire.open("data/demo/observatoire.toml")  # doctest: +SKIP
    >>> obs.territoires.query("niveau == 'qpv'")  # doctest: +SKIP
    """
    from observatoire.territory import Observatoire

    return Observatoire.from_config(config)
