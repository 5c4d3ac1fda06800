"""Pétitions citoyennes : signatures contre le seuil, atteinte du seuil, délai de réponse.

Fonctions pures sur les tables ``petitions`` et ``signatures`` (cumuls par date).

Définitions :
- **signatures** d'une pétition : le total déclaré par le fichier des pétitions, à défaut
  le dernier cumul de la table ``signatures`` ;
- **date d'atteinte du seuil** : ``date_seuil`` du fichier si elle est donnée, sinon la
  première date dont le cumul des signatures atteint le seuil (colonne
  ``origine_date_seuil`` : « fichier des pétitions » ou « cumul des signatures ») ;
- **seuil atteint** : date d'atteinte connue, ou signatures ≥ seuil, ou statut « seuil
  atteint » / « panel » ; inconnu (NA) si la pétition n'a pas de seuil ;
- **délai d'atteinte** : date d'atteinte − date de dépôt, en jours ;
- **délai de réponse** : date de réponse − date de dépôt, en jours ; et, quand le seuil
  est atteint, date de réponse − date d'atteinte (``delai_reponse_apres_seuil_jours``) ;
- **part des pétitions qui atteignent le seuil** : sur les pétitions recevables (statut
  autre qu'« irrecevable ») dont le seuil est connu.

Exemple ::

    atteinte_seuil(obs.table("petitions"), obs.table("signatures"))
    courbe_signatures(obs.table("petitions"), obs.table("signatures"), "P-01")
"""

from __future__ import annotations

import numpy as np
import pandas as pd

FICHIER, CUMUL = "fichier des pétitions", "cumul des signatures"
_ATTEINT = ("seuil atteint", "panel")


def courbe_signatures(
    petitions: pd.DataFrame, signatures: pd.DataFrame, petition: str | None = None
) -> pd.DataFrame:
    """Signatures cumulées par date contre le seuil (une ligne par pétition et date).

    Colonnes : ``petition``, ``titre``, ``date``, ``cumul``, ``seuil``, ``atteint``
    (cumul ≥ seuil ; NA sans seuil), ``part_du_seuil`` (cumul / seuil). Aucune date
    n'est inventée : une pétition sans table de signatures n'a pas de courbe.
    """
    sig = signatures if petition is None else signatures[signatures["petition"] == petition]
    info = petitions[["id", "titre", "seuil"]].rename(columns={"id": "petition"})
    out = sig[["petition", "date", "cumul"]].merge(info, on="petition", how="left")
    out = out.sort_values(["petition", "date"]).reset_index(drop=True)
    seuil = out["seuil"].astype("Int64")
    out["seuil"] = seuil
    out["atteint"] = (out["cumul"].astype("Int64") >= seuil).astype("boolean")
    out["part_du_seuil"] = (out["cumul"].astype("Float64") / seuil.astype("Float64")).astype(
        "Float64"
    )
    return out[["petition", "titre", "date", "cumul", "seuil", "atteint", "part_du_seuil"]]


def atteinte_seuil(petitions: pd.DataFrame, signatures: pd.DataFrame) -> pd.DataFrame:
    """Par pétition : signatures, seuil atteint, date et délai d'atteinte, délais de réponse.

    Colonnes : id, titre, statut, quartiers, depot, seuil, signatures, seuil_atteint,
    date_seuil, origine_date_seuil, delai_seuil_jours, date_reponse, delai_reponse_jours,
    delai_reponse_apres_seuil_jours.
    """
    rows = []
    by_petition = {k: g.sort_values("date") for k, g in signatures.groupby("petition")}
    for p in petitions.itertuples(index=False):
        curve = by_petition.get(p.id)
        last = int(curve["cumul"].iloc[-1]) if curve is not None and len(curve) else None
        total = int(p.signatures) if pd.notna(p.signatures) else last
        seuil = int(p.seuil) if pd.notna(p.seuil) else None
        date, origin = (p.date_seuil, FICHIER) if pd.notna(p.date_seuil) else (pd.NaT, "")
        if pd.isna(date) and seuil is not None and curve is not None:
            reached = curve[curve["cumul"] >= seuil]
            if len(reached):
                date, origin = reached["date"].iloc[0], CUMUL
        if seuil is None and pd.isna(date):
            atteint = pd.NA if p.statut not in _ATTEINT else True
        else:
            atteint = bool(
                pd.notna(date) or (total is not None and seuil is not None and total >= seuil)
                or p.statut in _ATTEINT
            )  # fmt: skip
        rows.append({"id": p.id, "titre": p.titre, "statut": p.statut, "quartiers": p.quartiers,
                     "depot": p.depot, "seuil": seuil, "signatures": total,
                     "seuil_atteint": atteint, "date_seuil": date, "origine_date_seuil": origin,
                     "date_reponse": p.date_reponse})  # fmt: skip
    columns = ["id", "titre", "statut", "quartiers", "depot", "seuil", "signatures",
               "seuil_atteint", "date_seuil", "origine_date_seuil", "delai_seuil_jours",
               "date_reponse", "delai_reponse_jours", "delai_reponse_apres_seuil_jours"]  # fmt: skip
    out = pd.DataFrame(rows, columns=[c for c in columns if "delai" not in c])
    for col in ("depot", "date_seuil", "date_reponse"):
        out[col] = pd.to_datetime(out[col])
    for col in ("seuil", "signatures"):
        out[col] = out[col].astype("Int64")
    out["seuil_atteint"] = out["seuil_atteint"].astype("boolean")
    out["delai_seuil_jours"] = _days(out["date_seuil"] - out["depot"])
    out["delai_reponse_jours"] = _days(out["date_reponse"] - out["depot"])
    out["delai_reponse_apres_seuil_jours"] = _days(out["date_reponse"] - out["date_seuil"])
    return out[columns]


def _days(delta: pd.Series) -> pd.Series:
    return delta.dt.days.astype("Float64")


def synthese(atteinte: pd.DataFrame) -> pd.DataFrame:
    """Une ligne : pétitions, recevables à seuil connu, seuil atteint, part, délais médians.

    ``atteinte`` : résultat de :func:`atteinte_seuil`. Colonnes : petitions, irrecevables,
    examinees (recevables dont le seuil est connu), seuil_atteint, part_seuil_atteint,
    delai_seuil_median_jours, repondues, delai_reponse_median_jours. Sans pétition :
    table vide.
    """
    columns = ["petitions", "irrecevables", "examinees", "seuil_atteint", "part_seuil_atteint",
               "delai_seuil_median_jours", "repondues", "delai_reponse_median_jours"]  # fmt: skip
    if not len(atteinte):
        return pd.DataFrame(columns=columns)
    recevable = atteinte["statut"] != "irrecevable"
    examined = atteinte[recevable & atteinte["seuil"].notna()]
    reached = int(examined["seuil_atteint"].fillna(False).sum())
    delays = atteinte["delai_seuil_jours"].dropna()
    answers = atteinte["delai_reponse_jours"].dropna()
    row = {"petitions": len(atteinte), "irrecevables": int((~recevable).sum()),
           "examinees": len(examined), "seuil_atteint": reached,
           "part_seuil_atteint": reached / len(examined) if len(examined) else np.nan,
           "delai_seuil_median_jours": float(delays.median()) if len(delays) else np.nan,
           "repondues": int(atteinte["date_reponse"].notna().sum()),
           "delai_reponse_median_jours": float(answers.median()) if len(answers) else np.nan}  # fmt: skip
    return pd.DataFrame([row], columns=columns)
