"""Remontées des usagers : volumes, délai de traitement, stock, part traitée dans le délai.

Fonctions pures sur la table ``remontees``.

Définitions :
- **traitée** (close) : remontée dont la ``date_traitement`` est renseignée, quel que
  soit son statut (« traitée » ou « sans suite ») ; **délai de traitement** =
  date de traitement − date de la remontée, en jours ; médiane et 90e centile
  (interpolation linéaire, celle de ``numpy.percentile``) sur les remontées traitées ;
- **date de référence** : dernière date du fichier (date de remontée ou de traitement) ;
  c'est « aujourd'hui » pour les remontées encore ouvertes ;
- **stock (backlog) d'un mois** : remontées arrivées au plus tard le dernier jour du mois
  et pas encore traitées ce jour-là ; le dernier mois est arrêté à la date de référence ;
- **part traitée dans le délai** (``delai_jours``, 30 par défaut) : traitées en
  ``delai_jours`` jours au plus, sur les remontées dont le sort est connu : traitées,
  ou encore ouvertes alors que le délai est dépassé à la date de référence (elles
  comptent **hors délai**) ; une remontée ouverte dont le délai court encore
  (« en attente ») n'entre pas dans le calcul ;
- une remontée au statut « traitée » ou « sans suite » **sans date de traitement** n'a
  ni délai ni date de clôture : elle est comptée à part (``cloture_non_datee``), jamais
  comme ouverte ni comme traitée dans le délai.

Exemple ::

    volumes(obs.table("remontees"), "canal")
    dans_delai(obs.table("remontees"), delai_jours=30)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from observatoire.analysis.concertations import NON_RENSEIGNE

PAR = ("canal", "quartier", "theme", "service", "statut")
_CLOS = ("traitée", "sans suite")


def date_reference(remontees: pd.DataFrame) -> pd.Timestamp | None:
    """Dernière date du fichier (remontée ou traitement) ; ``None`` sans remontée."""
    dates = pd.concat([remontees["date"], remontees["date_traitement"]]).dropna()
    return dates.max() if len(dates) else None


def volumes(remontees: pd.DataFrame, par: str = "canal") -> pd.DataFrame:
    """Remontées par canal, quartier, thème, service ou statut (et part).

    Quartier vide : tout le territoire (``""``) ; thème ou service absent : « non renseigné ».
    """
    if par not in PAR:
        raise ValueError(f"ventilation inconnue : {par} (attendu : {', '.join(PAR)})")
    empty = "" if par == "quartier" else NON_RENSEIGNE
    keys = remontees[par].astype(object).where(remontees[par].notna(), empty)
    out = keys.value_counts().rename("remontees").rename_axis(par).reset_index()
    out["remontees"] = out["remontees"].astype(int)
    out["part"] = out["remontees"] / len(remontees) if len(remontees) else np.nan
    return out.sort_values(["remontees", par], ascending=[False, True]).reset_index(drop=True)


def delais(remontees: pd.DataFrame) -> pd.Series:
    """Délai de traitement en jours (``Float64`` ; NA si non traitée)."""
    return (remontees["date_traitement"] - remontees["date"]).dt.days.astype("Float64")


def delai_traitement(remontees: pd.DataFrame, par: Sequence[str] = ()) -> pd.DataFrame:
    """Remontées, traitées, délai médian et 90e centile (jours) ; par groupe si ``par``."""
    frame = _with_keys(remontees.assign(_delai=delais(remontees)), par)
    columns = [*par, "remontees", "traitees", "delai_median_jours", "delai_p90_jours"]
    rows = []
    for key, group in iter_groups(frame, par):
        days = group["_delai"].dropna().astype(float).to_numpy()
        rows.append({**key, "remontees": len(group), "traitees": len(days),
                     "delai_median_jours": float(np.median(days)) if len(days) else np.nan,
                     "delai_p90_jours": float(np.percentile(days, 90)) if len(days) else np.nan})  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _with_keys(frame: pd.DataFrame, par: Sequence[str]) -> pd.DataFrame:
    """Mêmes groupes que :func:`volumes` : quartier vide → « » (tout le territoire), thème
    ou service absent → « non renseigné » (un groupe vide n'est jamais écarté)."""
    frame = frame.copy()
    for key in par:
        empty = "" if key == "quartier" else NON_RENSEIGNE
        frame[key] = frame[key].astype(object).where(frame[key].notna(), empty)
    return frame


def iter_groups(frame: pd.DataFrame, par: Sequence[str]):
    keys = list(par)
    if not keys:
        if len(frame):
            yield {}, frame
        return
    for key, group in frame.groupby(keys, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        yield dict(zip(keys, key, strict=True)), group


def _closed_undated(remontees: pd.DataFrame) -> pd.Series:
    return remontees["statut"].isin(_CLOS) & remontees["date_traitement"].isna()


def stock_mensuel(remontees: pd.DataFrame, reference: pd.Timestamp | None = None) -> pd.DataFrame:
    """Par mois (``AAAA-MM``) du premier mois à celui de la date de référence : entrées,
    traitées dans le mois, stock à la fin du mois (le dernier : à la date de référence),
    clôtures non datées cumulées (ni dans le stock, ni traitées)."""
    columns = ["mois", "fin", "entrees", "traitees", "stock", "cloture_non_datee"]
    reference = reference if reference is not None else date_reference(remontees)
    if reference is None or not len(remontees):
        return pd.DataFrame(columns=columns)
    start = remontees["date"].min().to_period("M")
    undated = _closed_undated(remontees)
    rows = []
    for month in pd.period_range(start, reference.to_period("M"), freq="M"):
        first, end = month.start_time.normalize(), min(month.end_time.normalize(), reference)
        arrived = remontees["date"] <= end
        done = remontees["date_traitement"] <= end
        open_ = arrived & ~done.fillna(False) & ~undated
        in_month = remontees["date_traitement"].between(first, end)
        rows.append({"mois": str(month), "fin": end,
                     "entrees": int(remontees["date"].between(first, end).sum()),
                     "traitees": int(in_month.sum()), "stock": int(open_.sum()),
                     "cloture_non_datee": int((arrived & undated).sum())})  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def dans_delai(
    remontees: pd.DataFrame, delai_jours: int = 30, reference: pd.Timestamp | None = None,
    par: Sequence[str] = (),
) -> pd.DataFrame:  # fmt: skip
    """Part des remontées traitées en ``delai_jours`` jours au plus (voir le module).

    Colonnes : [par,] remontees, traitees_dans_delai, traitees_hors_delai,
    ouvertes_hors_delai, en_attente, cloture_non_datee, base, part_dans_delai, delai_jours.
    """
    columns = [*par, "remontees", "traitees_dans_delai", "traitees_hors_delai",
               "ouvertes_hors_delai", "en_attente", "cloture_non_datee", "base",
               "part_dans_delai", "delai_jours"]  # fmt: skip
    reference = reference if reference is not None else date_reference(remontees)
    frame = remontees.assign(_delai=delais(remontees), _sans_date=_closed_undated(remontees))
    frame = _with_keys(frame, par)
    rows = []
    for key, group in iter_groups(frame, par):
        treated = group["_delai"].notna()
        on_time = int((group["_delai"] <= delai_jours).fillna(False).sum())
        late = int(treated.sum()) - on_time
        waiting = ~treated & ~group["_sans_date"]
        age = (reference - group["date"]).dt.days
        open_late = int((waiting & (age > delai_jours)).sum())
        base = on_time + late + open_late
        rows.append({**key, "remontees": len(group), "traitees_dans_delai": on_time,
                     "traitees_hors_delai": late, "ouvertes_hors_delai": open_late,
                     "en_attente": int(waiting.sum()) - open_late,
                     "cloture_non_datee": int(group["_sans_date"].sum()), "base": base,
                     "part_dans_delai": on_time / base if base else np.nan,
                     "delai_jours": int(delai_jours)})  # fmt: skip
    return pd.DataFrame(rows, columns=columns)
