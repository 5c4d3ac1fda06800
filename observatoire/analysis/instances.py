"""Instances participatives (CCSPL, conseils citoyens…) : avis et réponses, séances.

Fonctions pures sur les tables ``avis`` et ``seances``.

Définitions :
- **avis répondu** : ``date_reponse`` renseignée ; **délai de réponse** = date de
  réponse − date de l'avis, en jours (médiane sur les avis répondus) ;
- **part répondue dans le délai** (``delai_jours``, 60 par défaut) : avis répondus en
  ``delai_jours`` jours au plus, sur les avis dont le sort est connu — répondus, ou
  sans réponse alors que le délai est dépassé à la date de référence (dernière date
  de la table des avis : avis ou réponse), qui comptent hors délai ; un avis sans
  réponse dont le délai court encore n'entre pas dans le calcul (``en_attente``) ;
- **participation aux séances** : somme des participants des séances dont l'effectif est
  connu (un effectif inconnu n'est jamais compté 0), moyenne par séance ;
- **taux de présence** : participants / membres, sur les seules séances où les deux
  sont connus (NA sinon).

Exemple ::

    suivi_avis(obs.table("avis"), delai_jours=60)
    participation_seances(obs.table("seances"))
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from observatoire.analysis.remontees import iter_groups


def date_reference(avis: pd.DataFrame) -> pd.Timestamp | None:
    """Dernière date de la table des avis (avis ou réponse) ; ``None`` sans avis."""
    dates = pd.concat([avis["date"], avis["date_reponse"]]).dropna()
    return dates.max() if len(dates) else None


def delais_reponse(avis: pd.DataFrame) -> pd.Series:
    """Délai de réponse en jours par avis (``Float64`` ; NA sans réponse)."""
    return (avis["date_reponse"] - avis["date"]).dt.days.astype("Float64")


def suivi_avis(
    avis: pd.DataFrame, delai_jours: int = 60, reference: pd.Timestamp | None = None,
    par: Sequence[str] = (),
) -> pd.DataFrame:  # fmt: skip
    """Avis émis, répondus, délai médian, part répondue dans le délai (voir le module).

    Colonnes : [par,] avis, repondus, part_repondus, delai_reponse_median_jours,
    repondus_dans_delai, sans_reponse_hors_delai, en_attente, base, part_dans_delai,
    delai_jours.
    """
    columns = [*par, "avis", "repondus", "part_repondus", "delai_reponse_median_jours",
               "repondus_dans_delai", "sans_reponse_hors_delai", "en_attente", "base",
               "part_dans_delai", "delai_jours"]  # fmt: skip
    reference = reference if reference is not None else date_reference(avis)
    frame = avis.assign(_delai=delais_reponse(avis))
    rows = []
    for key, group in iter_groups(frame, par):
        answered = group["_delai"].notna()
        n_answered = int(answered.sum())
        on_time = int((group["_delai"] <= delai_jours).fillna(False).sum())
        age = (reference - group["date"]).dt.days
        late_open = int((~answered & (age > delai_jours)).sum())
        base = n_answered + late_open
        delays = group["_delai"].dropna()
        rows.append({**key, "avis": len(group), "repondus": n_answered,
                     "part_repondus": n_answered / len(group),
                     "delai_reponse_median_jours": float(delays.median()) if len(delays) else np.nan,
                     "repondus_dans_delai": on_time, "sans_reponse_hors_delai": late_open,
                     "en_attente": len(group) - n_answered - late_open, "base": base,
                     "part_dans_delai": on_time / base if base else np.nan,
                     "delai_jours": int(delai_jours)})  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def participation_seances(
    seances: pd.DataFrame, par: Sequence[str] = ("instance",)
) -> pd.DataFrame:
    """Séances, effectifs connus, participants, participants par séance, taux de présence.

    Colonnes : [par,] seances, seances_effectif_connu, participants,
    participants_par_seance, seances_membres_connus, membres, taux_presence.
    """
    columns = [*par, "seances", "seances_effectif_connu", "participants",
               "participants_par_seance", "seances_membres_connus", "membres", "taux_presence"]  # fmt: skip
    rows = []
    for key, group in iter_groups(seances, par):
        known = group["participants"].dropna().astype(int)
        both = group[group["participants"].notna() & group["membres"].notna()]
        members = int(both["membres"].sum())
        present = int(both["participants"].sum())
        rows.append({**key, "seances": len(group), "seances_effectif_connu": len(known),
                     "participants": int(known.sum()) if len(known) else pd.NA,
                     "participants_par_seance": float(known.mean()) if len(known) else np.nan,
                     "seances_membres_connus": len(both),
                     "membres": members if len(both) else pd.NA,
                     "taux_presence": present / members if members else np.nan})  # fmt: skip
    out = pd.DataFrame(rows, columns=columns)
    for col in ("participants", "membres"):
        out[col] = out[col].astype("Int64")
    return out
