"""Évolutions entre millésimes, avec le changement de géographie 2015 → 2024 (pures).

Règles de l'INSEE appliquées :

- à l'échelle infra-communale, on ne mesure pas d'évolution entre deux millésimes
  **consécutifs** : par défaut on compare le premier et le dernier millésime
  disponibles s'ils ne se suivent pas ; une comparaison consécutive demandée
  explicitement est calculée mais porte un avertissement ;
- prudence sur les évolutions locales de revenus et de pauvreté (avertissement) ;
- les géographies 2015 et 2024 sont des territoires différents : une série qui
  emprunte des valeurs à l'autre génération passe par la table ``correspondances``
  et n'est reprise que pour une relation « identique » ; elle est **marquée**
  (``traverse_geographie``). Fusion, scission, modification : non comparable,
  jamais jointe.

Exemple ::

    s = series(obs.valeurs, obs.territoires, obs.correspondances, "QN00001A", "taux_pauvrete")
    e = evolution(obs.valeurs, obs.territoires, obs.correspondances, obs.catalogue,
                  ["QN00001A"], ["taux_pauvrete"])
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

INCOME_INDICATORS = {
    "taux_pauvrete",
    "revenu_median_uc",
    "revenu_d1_uc",
    "revenu_d9_uc",
    "rapport_interdecile",
    "part_prestations",
}
WARN_CONSECUTIVE = (
    "millésimes consécutifs : l'INSEE déconseille de mesurer une évolution entre deux "
    "millésimes consécutifs à l'échelle infra-communale"
)
WARN_INCOME = "évolution locale de revenus ou de pauvreté : à interpréter avec prudence (INSEE)"
WARN_CROSSING = (
    "série qui traverse le changement de géographie 2015 → 2024 (quartier déclaré "
    "identique dans la table de correspondance) : territoires de deux générations"
)
SERIES_COLUMNS = [
    "code",
    "indicateur",
    "annee",
    "valeur",
    "statut",
    "code_source",
    "generation",
    "relation",
    "traverse_geographie",
    "comparable",
]
EVOLUTION_COLUMNS = [
    "code",
    "indicateur",
    "annee_debut",
    "annee_fin",
    "valeur_debut",
    "valeur_fin",
    "evolution",
    "evolution_relative",
    "defavorable",
    "code_debut",
    "traverse_geographie",
    "consecutifs",
    "comparable",
    "avertissement",
]


def generation_of(code: str, territoires: pd.DataFrame | None = None) -> int | None:
    """Génération d'un code QPV : table ``territoires`` d'abord, sinon préfixe QP/QN.

    >>> generation_of("QP093005"), generation_of("QN04901M")
    (2015, 2024)
    """
    if territoires is not None and "generation" in territoires:
        rows = territoires[(territoires["code"] == code) & (territoires["niveau"] == "qpv")]
        gen = rows["generation"].dropna()
        if len(gen):
            return int(gen.iloc[0])
    if code.upper().startswith("QP"):
        return 2015
    if code.upper().startswith("QN"):
        return 2024
    return None


def predecessors(correspondances: pd.DataFrame, code: str) -> pd.DataFrame:
    """Lignes de correspondance liant ``code`` à l'autre génération (code_autre, relation, part)."""
    c = correspondances
    if c is None or c.empty:
        return pd.DataFrame(columns=["code_autre", "relation", "part"])
    to_2015 = c[c["code_2024"] == code].assign(code_autre=lambda d: d["code_2015"])
    to_2024 = c[c["code_2015"] == code].assign(code_autre=lambda d: d["code_2024"])
    out = pd.concat([to_2015, to_2024], ignore_index=True)
    out = out[out["code_autre"].notna()]
    return out[["code_autre", "relation", "part"]].reset_index(drop=True)


def series(
    valeurs: pd.DataFrame,
    territoires: pd.DataFrame,
    correspondances: pd.DataFrame,
    code: str,
    indicateur: str,
) -> pd.DataFrame:
    """Série d'un quartier : ses millésimes, puis ceux de l'autre génération, marqués.

    Un millésime de l'autre génération n'est repris que s'il manque dans la
    génération du quartier ; il est ``comparable`` seulement pour une relation
    « identique » avec un seul prédécesseur (et toujours ``traverse_geographie``).
    """
    qpv = valeurs[(valeurs["niveau"] == "qpv") & (valeurs["indicateur"] == indicateur)]
    return _series(qpv, code, _links(territoires, correspondances, code))


Links = tuple[int | None, list[tuple[str, str, int | None]], bool]


def _links(territoires: pd.DataFrame, correspondances: pd.DataFrame, code: str) -> Links:
    """Génération du quartier, quartiers liés (code, relation, génération), lien unique
    « identique » : ce qui ne dépend pas de l'indicateur (lu une fois par quartier)."""
    links = predecessors(correspondances, code)
    single_identical = len(links) == 1 and links["relation"].iloc[0] == "identique"
    others = [
        (link.code_autre, link.relation, generation_of(link.code_autre, territoires))
        for link in links.itertuples(index=False)
    ]
    return generation_of(code, territoires), others, single_identical


def _series(qpv: pd.DataFrame, code: str, linked: Links) -> pd.DataFrame:
    """:func:`series` sur les lignes ``qpv`` d'un indicateur et les liens du quartier."""
    generation, others, single_identical = linked
    own = qpv[qpv["code"] == code].assign(
        code_source=code,
        generation=generation,
        relation=None,
        traverse_geographie=False,
        comparable=True,
    )
    frames = [own]
    for code_autre, relation, generation_autre in others:
        other = qpv[(qpv["code"] == code_autre) & ~qpv["annee"].isin(own["annee"])]
        frames.append(
            other.assign(
                code=code,
                code_source=code_autre,
                generation=generation_autre,
                relation=relation,
                traverse_geographie=True,
                comparable=single_identical,
            )
        )
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame(columns=SERIES_COLUMNS)
    out = pd.concat(frames, ignore_index=True)
    out["code"] = code
    return out.sort_values(["annee", "code_source"])[SERIES_COLUMNS].reset_index(drop=True)


def _default_years(years: list[int]) -> tuple[int, int] | None:
    """Premier et dernier millésimes non consécutifs (None si impossible)."""
    years = sorted(set(years))
    if len(years) < 2:
        return None
    last = years[-1]
    earlier = [y for y in years if last - y >= 2]
    return (earlier[0], last) if earlier else None


def evolution(
    valeurs: pd.DataFrame,
    territoires: pd.DataFrame,
    correspondances: pd.DataFrame,
    catalogue: pd.DataFrame,
    codes: Iterable[str],
    indicateurs: Iterable[str] | None = None,
    annee_debut: int | None = None,
    annee_fin: int | None = None,
    *,
    traverser: bool = False,
) -> pd.DataFrame:
    """Évolution de chaque quartier × indicateur entre deux millésimes.

    Sans millésimes imposés : premier et dernier millésimes non consécutifs de la
    génération du quartier (``traverser=True`` autorise un millésime de l'autre
    génération pour un quartier « identique », marqué). ``evolution`` est la
    différence dans l'unité de l'indicateur (points pour un %), ``evolution_relative``
    la variation en %.

    >>> evolution(v, t, corr, cat, ["QN00001A"], ["taux_pauvrete"])  # doctest: +SKIP
    """
    codes = list(codes)
    qpv = valeurs[(valeurs["niveau"] == "qpv") & valeurs["code"].isin(codes)]
    inds = list(indicateurs) if indicateurs is not None else sorted(qpv["indicateur"].unique())
    polarity = catalogue.drop_duplicates("id").set_index("id")["polarite"]
    all_qpv = valeurs[(valeurs["niveau"] == "qpv") & valeurs["indicateur"].isin(inds)]
    rows = _rows_by_pair(all_qpv)  # (code, indicateur) → [(annee, valeur, statut)], une passe
    generations = _generations(territoires)
    records = []
    for code in codes:
        links = predecessors(correspondances, code)  # une fois par quartier
        single_identical = len(links) == 1 and links["relation"].iloc[0] == "identique"
        others = [
            (c, r, generations.get(c, generation_of(c)))
            for c, r in zip(links["code_autre"], links["relation"], strict=True)
        ]
        for ind in inds:
            s = _pair_series(rows, code, ind, others, single_identical)
            if not s:
                continue
            record = _one(s, code, ind, annee_debut, annee_fin, traverser, polarity.get(ind, 0))
            if record is not None:
                records.append(record)
    return pd.DataFrame.from_records(records, columns=EVOLUTION_COLUMNS)


# Une ligne de série, sans pandas (évolutions de 1 600 quartiers × 40 indicateurs) :
# (annee, valeur, statut, code_source, relation, traverse_geographie, comparable)
_Row = tuple[int, float, str, str, str | None, bool, bool]


def _rows_by_pair(qpv: pd.DataFrame) -> dict[tuple[str, str], list[tuple[int, float, str]]]:
    out: dict[tuple[str, str], list[tuple[int, float, str]]] = {}
    values = pd.to_numeric(qpv["valeur"], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    for code, ind, year, value, status in zip(
        qpv["code"].tolist(), qpv["indicateur"].tolist(), qpv["annee"].tolist(),
        values.tolist(), qpv["statut"].tolist(), strict=True,
    ):  # fmt: skip
        out.setdefault((code, ind), []).append((int(year), value, status))
    return out


def _generations(territoires: pd.DataFrame | None) -> dict[str, int]:
    """Génération déclarée de chaque QPV de la table ``territoires`` (première non vide)."""
    if territoires is None or "generation" not in territoires:
        return {}
    rows = territoires[(territoires["niveau"] == "qpv") & territoires["generation"].notna()]
    rows = rows.drop_duplicates("code")
    return {c: int(g) for c, g in zip(rows["code"], rows["generation"], strict=True)}


def _pair_series(rows, code: str, ind: str, others, single_identical: bool) -> list[_Row]:
    """Même série que :func:`_series` (ordre annee, code_source), en tuples."""
    own = rows.get((code, ind), [])
    out: list[_Row] = [(y, v, st, code, None, False, True) for y, v, st in own]
    own_years = {y for y, _, _ in own}
    for code_autre, relation, _generation in others:
        out += [
            (y, v, st, code_autre, relation, True, single_identical)
            for y, v, st in rows.get((code_autre, ind), [])
            if y not in own_years
        ]
    out.sort(key=lambda r: (r[0], r[3]))
    return out


def _one(s: list[_Row], code, ind, start, end, traverser, polarite) -> dict | None:
    usable = s if traverser else [r for r in s if not r[5]]
    if start is not None or end is not None:
        usable = s  # millésimes imposés : on cherche aussi dans l'autre génération
    if not usable:  # seulement des valeurs de l'autre géographie, qu'on ne traverse pas
        return None
    warnings: list[str] = []
    if start is None or end is None:
        pair = _default_years([r[0] for r in usable if r[2] == "ok"])
        if pair is None:
            pair = _default_years([r[0] for r in usable])
        if pair is None:
            warnings.append("pas deux millésimes non consécutifs disponibles")
            years = [r[0] for r in usable]
            pair = (start or min(years), end or max(years))
        start = start if start is not None else pair[0]
        end = end if end is not None else pair[1]
    first = next((r for r in usable if r[0] == start), None)
    last = next((r for r in usable if r[0] == end), None)
    comparable = True
    crossing = False
    code_debut = first[3] if first else None
    for row in (first, last):
        if row and row[5]:
            crossing = True
            if not row[6]:
                comparable = False
    if crossing:
        if comparable:
            warnings.append(WARN_CROSSING)
        else:
            rel = first[4] if first else last[4]
            warnings.append(
                f"non comparable : géographie 2015 → 2024 modifiée (relation « {rel} »)"
            )
    v0 = float(first[1]) if first else np.nan
    v1 = float(last[1]) if last else np.nan
    for label, row, year in (("début", first, start), ("fin", last, end)):
        if not row:
            warnings.append(f"aucune valeur en {year} ({label})")
        elif row[2] != "ok":
            warnings.append(f"valeur {row[2]} en {year}")
    consecutive = abs(int(end) - int(start)) == 1
    if consecutive:
        warnings.append(WARN_CONSECUTIVE)
    if ind in INCOME_INDICATORS:
        warnings.append(WARN_INCOME)
    if not comparable:  # jamais de valeur de départ d'un autre territoire, même affichée
        v0 = np.nan
    diff = v1 - v0 if comparable else np.nan
    rel_change = 100 * diff / v0 if comparable and v0 not in (0,) and not np.isnan(v0) else np.nan
    defav = pd.NA
    if not np.isnan(diff) and polarite != 0:
        defav = bool(diff * -polarite > 0)
    return {
        "code": code,
        "indicateur": ind,
        "annee_debut": int(start),
        "annee_fin": int(end),
        "valeur_debut": v0,
        "valeur_fin": v1,
        "evolution": diff,
        "evolution_relative": rel_change,
        "defavorable": defav,
        "code_debut": code_debut,
        "traverse_geographie": crossing,
        "consecutifs": consecutive,
        "comparable": comparable,
        "avertissement": " ; ".join(warnings),
    }
