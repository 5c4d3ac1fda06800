"""Évaluation du contrat de ville : effet levier, concentration, renouvellement,
bénéficiaires, « besoins et moyens » (fonctions pures, tables → tables).

Seuls les dossiers financés (accordés ou soldés) comptent, sauf mention contraire.
Les taux sont en points de pourcentage ; les montants en ``Decimal`` euros.

Exemple ::

    >>> leverage(actions, financements)  # doctest: +SKIP
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

import pandas as pd

from observatoire.analysis.contrat import groups_of
from observatoire.schemas.contrat import STATUTS_FINANCES
from observatoire.sources.contrat_values import cents_to_euros
from observatoire.sources.tabular import normalise_label


def _financed(actions: pd.DataFrame) -> pd.DataFrame:
    return actions[actions["statut"].isin(STATUTS_FINANCES)]


def porteur_key(porteur: object, porteur_id: object) -> str:
    """Clé d'un porteur : son identifiant (SIRET/RNA sans espaces) sinon son nom normalisé."""
    if isinstance(porteur_id, str) and porteur_id.strip():
        return "id:" + re.sub(r"\s", "", porteur_id).upper()
    return "nom:" + normalise_label(porteur or "")


def _with_keys(actions: pd.DataFrame) -> pd.DataFrame:
    """Ajoute ``cle_porteur`` ; un porteur sans identifiant reprend celui que porte son nom
    ailleurs (même association dans le classeur et dans un fichier SCDL)."""
    out = actions.copy()
    known: dict[str, str] = {}
    for p, i in zip(out["porteur"], out["porteur_id"], strict=True):
        if isinstance(i, str) and i.strip() and isinstance(p, str):
            known.setdefault(normalise_label(p), i)
    out["cle_porteur"] = [
        porteur_key(
            p, i if isinstance(i, str) and i.strip() else known.get(normalise_label(p or ""))
        )
        for p, i in zip(out["porteur"], out["porteur_id"], strict=True)
    ]
    return out


def leverage(
    actions: pd.DataFrame, financements: pd.DataFrame, by: str | None = "annee"
) -> pd.DataFrame:
    """Effet levier : cofinancements accordés par euro de crédits État politique de la ville.

    Périmètre : actions financées qui reçoivent des crédits PV (ligne ``credits_pv``
    accordée > 0). ``effet_levier`` = (accordé des autres financeurs) / (crédits PV).
    """
    ok = set(_financed(actions)["id"])
    lines = financements[financements["action"].isin(ok)].copy()
    lines["acc"] = lines["accorde_centimes"].fillna(0).astype("int64")
    pv_actions = set(lines.loc[lines["credits_pv"] & (lines["acc"] > 0), "action"])
    lines = lines[lines["action"].isin(pv_actions)]
    rows = []
    for row, g in groups_of(lines, by):
        pv = int(g.loc[g["credits_pv"], "acc"].sum())
        cofi = int(g.loc[~g["credits_pv"], "acc"].sum())
        row.update(
            actions=g["action"].nunique(),
            credits_pv=cents_to_euros(pv),
            cofinancements=cents_to_euros(cofi),
            effet_levier=cofi / pv if pv else float("nan"),
        )
        rows.append(row)
    return pd.DataFrame(rows)


def concentration(
    actions: pd.DataFrame, financements: pd.DataFrame, n: int = 10, by: str | None = "annee"
) -> pd.DataFrame:
    """Concentration des montants accordés sur les porteurs.

    ``part_premiers`` : part (%) des ``n`` premiers porteurs ; ``herfindahl`` : somme des
    carrés des parts (0 à 1 ; 1 = un seul porteur) ; ``porteurs_equivalents`` = 1 / HHI.
    """
    acts = _with_keys(_financed(actions))
    amounts = financements.groupby("action")["accorde_centimes"].sum(min_count=1)
    acts = acts.assign(centimes=acts["id"].map(amounts).fillna(0).astype("int64"))
    rows = []
    for row, g in groups_of(acts, by):
        per = g.groupby("cle_porteur")["centimes"].sum().sort_values(ascending=False)
        total = int(per.sum())
        shares = per / total if total else per * 0.0
        hhi = float((shares**2).sum()) if total else float("nan")
        row.update(
            porteurs=int(len(per)),
            accorde=cents_to_euros(total),
            part_premiers=100.0 * int(per.head(n).sum()) / total if total else float("nan"),
            herfindahl=hhi,
            porteurs_equivalents=1.0 / hhi if hhi else float("nan"),
        )
        rows.append(row)
    return pd.DataFrame(rows)


def renewal(actions: pd.DataFrame) -> pd.DataFrame:
    """Renouvellement de la programmation, année par année (à partir de la 2e année).

    Une action est « reconduite » si le classeur le dit (colonne ``reconduction``),
    sinon si le même porteur portait une action de même intitulé l'année précédente.
    Un « nouveau porteur » n'apparaît dans aucune année précédente chargée.
    """
    acts = _with_keys(_financed(actions))
    acts["cle_action"] = (
        acts["cle_porteur"] + "|" + [normalise_label(t or "") for t in acts["intitule"]]
    )
    years = sorted(int(y) for y in acts["annee"].dropna().unique())
    rows = []
    for year in years[1:]:
        cur = acts[acts["annee"] == year]
        prev = acts[acts["annee"] == year - 1]
        seen = set(acts.loc[acts["annee"] < year, "cle_porteur"])
        inferred = cur["cle_action"].isin(set(prev["cle_action"]))
        declared = cur["reconduction"].astype("boolean")
        renewed = declared.fillna(inferred).astype(bool)
        porteurs = set(cur["cle_porteur"])
        new = porteurs - seen
        rows.append(
            {
                "annee": year,
                "actions": len(cur),
                "reconduites": int(renewed.sum()),
                "part_reconduites": 100.0 * renewed.sum() / len(cur) if len(cur) else math.nan,
                "porteurs": len(porteurs),
                "nouveaux_porteurs": len(new),
                "part_nouveaux_porteurs": 100.0 * len(new) / len(porteurs)
                if porteurs
                else math.nan,
            }
        )
    return pd.DataFrame(rows)


def beneficiaries(actions: pd.DataFrame, by: str | None = "annee") -> pd.DataFrame:
    """Bénéficiaires réalisés face aux prévus (actions dont les deux sont connus) et part
    habitant un QPV (actions dont le bilan le précise)."""
    acts = _financed(actions)
    rows = []
    for row, g in groups_of(acts, by):
        both = g[g["beneficiaires_prevus"].notna() & g["beneficiaires_realises"].notna()]
        prevus = int(both["beneficiaires_prevus"].sum())
        realises = int(both["beneficiaires_realises"].sum())
        q = g[g["beneficiaires_qpv"].notna() & g["beneficiaires_realises"].notna()]
        base_qpv = int(q["beneficiaires_realises"].sum())
        qpv = int(q["beneficiaires_qpv"].sum())
        row.update(  # sans bilan : non renseigné (<NA>), jamais 0
            actions_bilan=len(both),
            prevus=prevus if len(both) else pd.NA,
            realises=realises if len(both) else pd.NA,
            taux_realisation=100.0 * realises / prevus if prevus else math.nan,
            actions_qpv_connu=len(q),
            realises_qpv=qpv if len(q) else pd.NA,
            part_qpv=100.0 * qpv / base_qpv if base_qpv else math.nan,
        )
        rows.append(row)
    out = pd.DataFrame(rows)
    for col in ("prevus", "realises", "realises_qpv"):
        if col in out:
            out[col] = out[col].astype("Int64")
    return out


# --------------------------------------------------------------------------- besoins et moyens


def need_score(
    valeurs: pd.DataFrame,
    indicateurs: Mapping[str, float],
    polarites: Mapping[str, int],
    quartiers: Sequence[str],
    annee: int | None = None,
) -> pd.DataFrame:
    """Besoin de chaque quartier.

    Un seul indicateur défavorable (polarité −1, ex. ``taux_pauvrete``) : sa valeur.
    Sinon un composite : moyenne pondérée des scores centrés-réduits entre quartiers,
    orientés pour qu'un score élevé signale un besoin élevé (polarité +1 inversée).
    Millésime : le dernier ≤ ``annee`` (sinon le plus récent publié), par indicateur.
    Un quartier dont une valeur manque (secret, absente) n'a pas de besoin calculé
    (``statut`` absent) : jamais de valeur imputée.

    >>> need_score(valeurs, {"taux_pauvrete": 1}, {"taux_pauvrete": -1}, ["QN00001A"])  # doctest: +SKIP
    """
    ids = list(indicateurs)
    v = valeurs[valeurs["indicateur"].isin(ids) & valeurs["code"].isin(list(quartiers))]
    if annee is not None:  # par indicateur : dernier millésime ≤ annee s'il en existe un
        before = v["annee"] <= annee
        has_before = before.groupby(v["indicateur"]).transform("any")
        v = v[before | ~has_before]
    v = v.sort_values("annee").groupby(["code", "indicateur"]).tail(1)
    ok = v[v["statut"] == "ok"].pivot(index="code", columns="indicateur", values="valeur")
    table = ok.reindex(index=list(quartiers), columns=ids)
    complete = table.notna().all(axis=1)
    if len(ids) == 1 and polarites.get(ids[0], -1) == -1:
        score = table[ids[0]]
    else:
        parts = []
        for ind in ids:
            col = table[ind]
            std = col[complete].std(ddof=0)
            z = (col - col[complete].mean()) / std if std and std == std else col * 0.0
            sign = 1.0 if polarites.get(ind, -1) <= 0 else -1.0
            parts.append(sign * float(indicateurs[ind]) * z)
        score = sum(parts) / float(sum(indicateurs.values()))
    out = table.reset_index().rename(columns={"index": "quartier", "code": "quartier"})
    out.columns = ["quartier", *ids]
    out["besoin"] = [s if c else math.nan for s, c in zip(score, complete, strict=True)]
    out["statut"] = ["ok" if c else "absent" for c in complete]
    return out


def _pearson(x: pd.Series, y: pd.Series) -> float:
    if len(x) < 3 or x.std(ddof=0) == 0 or y.std(ddof=0) == 0:
        return math.nan
    return float(((x - x.mean()) * (y - y.mean())).mean() / (x.std(ddof=0) * y.std(ddof=0)))


def needs_and_means(
    means: pd.DataFrame, need: pd.DataFrame, seuil: float = 1.0
) -> tuple[pd.DataFrame, dict]:
    """Confronte les euros par habitant au besoin de chaque quartier.

    Méthode : régression linéaire (moindres carrés) des euros par habitant sur le
    besoin ; le résidu standardisé (résidu / écart-type des résidus, ddl n−2) mesure
    l'écart à ce que le besoin suggère. Un quartier est « sous-doté » si son résidu
    standardisé est ≤ −``seuil``. Les rangs (1 = besoin le plus fort, 1 = le plus
    d'euros par habitant) et leur écart sont donnés en complément. Corrélations de
    Pearson et de Spearman (rangs). Il faut au moins 3 quartiers complets.
    """
    data = means[["quartier", "euros_par_habitant"]].merge(
        need[["quartier", "besoin"]], on="quartier", how="outer"
    )
    full = data.dropna(subset=["euros_par_habitant", "besoin"]).copy()
    x, y = full["besoin"].astype(float), full["euros_par_habitant"].astype(float)
    summary: dict = {
        "n": len(full),
        "exclus": sorted(set(data["quartier"]) - set(full["quartier"])),
    }
    full["rang_besoin"] = x.rank(ascending=False, method="min").astype(int)
    full["rang_moyens"] = y.rank(ascending=False, method="min").astype(int)
    full["ecart_rangs"] = full["rang_moyens"] - full["rang_besoin"]
    if len(full) >= 3 and x.std(ddof=0) > 0:
        slope = float(((x - x.mean()) * (y - y.mean())).sum() / ((x - x.mean()) ** 2).sum())
        intercept = float(y.mean() - slope * x.mean())
        full["attendu"] = intercept + slope * x
        full["residu"] = y - full["attendu"]
        dof = max(len(full) - 2, 1)
        sd = math.sqrt(float((full["residu"] ** 2).sum()) / dof)
        full["residu_standardise"] = full["residu"] / sd if sd else 0.0
        full["sous_dote"] = full["residu_standardise"] <= -seuil
        summary.update(pente=slope, constante=intercept)
    else:
        for col in ("attendu", "residu", "residu_standardise"):
            full[col] = math.nan
        full["sous_dote"] = False
        summary.update(pente=math.nan, constante=math.nan)
    summary.update(
        pearson=_pearson(x, y),
        spearman=_pearson(x.rank(), y.rank()),
        seuil=seuil,
        sous_dotes=full.loc[full["sous_dote"], "quartier"].tolist(),
    )
    return full.sort_values("residu_standardise", na_position="last").reset_index(
        drop=True
    ), summary
