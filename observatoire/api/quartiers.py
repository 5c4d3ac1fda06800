"""Vérification des codes de quartier passés aux API (``obs.indicateurs``, ``obs.participation``).

Un code inconnu n'est jamais une table vide ni une table de zéros : c'est une
:class:`~observatoire.errors.ConfigError` (code 2) en français, avec les codes proches
de la génération en vigueur seulement (un code 2015 n'est pas le même lieu qu'un
code 2024). Les minuscules et les espaces autour sont normalisés (``qn00001a`` →
``QN00001A``).

Exemple ::

    check_quartier(obs, " qn00001a ")   # 'QN00001A'
    check_quartier(obs, "QN00001Z")     # ConfigError : « Quartier inconnu … Codes proches … »
"""

from __future__ import annotations

import difflib
from typing import Any

from observatoire.errors import ConfigError


def normalise_code(code: Any) -> str:
    """``" qn00001a "`` → ``"QN00001A"`` (les codes QPV sont en majuscules)."""
    return str(code).strip().upper()


def current_codes(obs: Any) -> list[str]:
    """Codes des quartiers de la génération en vigueur."""
    return obs.quartiers["code"].astype(str).tolist()


def unknown_quartier(obs: Any, code: Any, known: list[str] | None = None) -> ConfigError:
    """Erreur française d'un code absent de la génération en vigueur (codes proches cités)."""
    known = current_codes(obs) if known is None else known
    generation = obs.config.territoire.generation
    wanted = normalise_code(code)
    t = obs.territoires
    other = t[(t["niveau"] == "qpv") & (t["code"] == wanted) & (t["generation"] != generation)]
    close = difflib.get_close_matches(wanted, known, n=5, cutoff=0.5)
    hint = f" Codes proches : {', '.join(close)}." if close else ""
    if not len(other):
        sample = ", ".join(known[:5]) + ("…" if len(known) > 5 else "")
        hint = hint or f" Quartiers de ce territoire : {sample or 'aucun'}."
    where = (
        f" C'est un quartier de la génération {int(other['generation'].iloc[0])}, pas de la "
        f"génération en vigueur ({generation}) : ce n'est pas le même territoire."
        if len(other)
        else ""
    )
    return ConfigError(
        f"Quartier inconnu : « {code} » (génération {generation} de ce territoire).{where}{hint}"
    )


def check_quartier(obs: Any, code: Any, known: frozenset[str] | None = None) -> str:
    """Code normalisé d'un quartier de la génération en vigueur ; ``ConfigError`` sinon."""
    if not isinstance(code, str):
        raise ConfigError(
            f"Code de quartier invalide : « {code} » (attendu : un texte, ex. « QN04901M »)."
        )
    wanted = normalise_code(code)
    codes = known if known is not None else frozenset(current_codes(obs))
    if wanted not in codes:
        raise unknown_quartier(obs, code)
    return wanted


def check_ventilation(obs: Any, dimension: str, dispositif: str | None, annee: int | None) -> None:
    """Refuse une ventilation (``obs.participation.ventilation``) qui ne serait qu'une table
    de zéros par erreur de filtre : dimension inconnue, dispositif ou année sans événement."""
    from observatoire.analysis import representativite as rp

    if dimension not in rp.DIMENSIONS:
        raise ConfigError(
            f"Dimension de ventilation inconnue : « {dimension} » (attendu : "
            + ", ".join(f"« {d} »" for d in rp.DIMENSIONS) + ")."
        )  # fmt: skip
    ev = obs.evenements
    if not len(ev):
        return  # aucune participation : la table de zéros le dit honnêtement
    if dispositif is not None and dispositif not in set(ev["dispositif"]):
        present = ", ".join(f"« {d} »" for d in sorted(set(ev["dispositif"].dropna())))
        raise ConfigError(
            f"Aucun événement du dispositif « {dispositif} » (dispositifs présents : {present})."
        )
    years = sorted({int(y) for y in ev["annee"].dropna()})
    try:
        year = int(annee) if annee is not None else None
    except (TypeError, ValueError):
        year = -1
    if year is not None and year not in years:
        raise ConfigError(
            f"Aucun événement en {annee} (années présentes : "
            + ", ".join(str(y) for y in years) + ")."
        )  # fmt: skip
