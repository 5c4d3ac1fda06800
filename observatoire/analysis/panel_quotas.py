"""Quotas d'un panel citoyen tiré au sort (fonctions pures, sans lecture de fichier).

Population de référence : pyramide des âges du recensement (``pop_hommes_0_14`` …
``pop_femmes_75_plus`` de la table ``valeurs``, dernier millésime complet) du
territoire de référence ; habitants des QPV : population des quartiers rapportée à
celle du territoire. Chaque critère reçoit des sièges proportionnels à la population
(arrondis par la méthode des plus forts restes : entiers qui somment à la taille),
puis une marge de ± ``marge`` sièges. Un critère sans population connue (critère
configuré comme « diplome ») suit la répartition du vivier. Les moins de 25 ans ont
un minimum de sièges (``minimum_moins_25``) sans maximum propre.

Exemple ::

    feats, warnings = pool_features(vivier, ["sexe", "tranche_age", "qpv"], 0)
    ref = reference_population(valeurs, territoires, quartiers)
    q = build_quotas(feats, ref, ["sexe", "tranche_age", "qpv"], taille=20, marge=1)
    explain_infeasible(q, feats, 20)   # [] si rien d'évident n'empêche le tirage
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pandas as pd

from observatoire.analysis.representativite import _latest_population, _pyramid
from observatoire.errors import Problem
from observatoire.schemas.participation import TRANCHES_AGE

BANDS = [b for b in TRANCHES_AGE if b != "0-14"]  # panel : 15 ans et plus
BAND_MIN_AGE = {"0-14": 0, "15-29": 15, "30-44": 30, "45-59": 45, "60-74": 60, "75+": 75}
BASE_CRITERIA = ("sexe", "tranche_age", "qpv", "quartier")
DEFAULT_CRITERIA = ("sexe", "tranche_age", "qpv")
HORS_QPV = "hors QPV"
CRITERION_LABELS = {
    "sexe": "Sexe",
    "tranche_age": "Tranche d'âge",
    "age_sexe": "Tranche d'âge et sexe",
    "qpv": "Habite un QPV",
    "quartier": "Quartier de résidence",
    "moins_25": "Moins de 25 ans",
}
SEX_LABELS = {"F": "femmes", "H": "hommes"}
QUOTA_COLUMNS = ["critere", "valeur", "libelle_critere", "libelle_valeur", "base", "population",
                 "part_population", "vivier", "part_vivier", "cible", "min", "max"]  # fmt: skip


def band_label(band: str) -> str:
    """« 15-29 ans », « 75 ans et plus »."""
    return "75 ans et plus" if band == "75+" else f"{band} ans"


def criterion_label(feature: str) -> str:
    """Libellé français d'un critère (``critere_diplome`` → « Critère « diplome » »)."""
    if feature.startswith("critere_"):
        return f"Critère « {feature.removeprefix('critere_')} »"
    return CRITERION_LABELS.get(feature, feature)


def value_label(feature: str, value: str, names: Mapping[str, str] | None = None) -> str:
    """Libellé français d'une valeur (« tranche 75 ans et plus, femmes »…)."""
    if feature == "sexe":
        return SEX_LABELS.get(value, value)
    if feature == "tranche_age":
        return f"tranche {band_label(value)}"
    if feature == "age_sexe":
        band, sex = value.split("|")
        return f"tranche {band_label(band)}, {SEX_LABELS.get(sex, sex)}"
    if feature == "qpv":
        return "habitants d'un QPV" if value == "oui" else "habitants hors QPV"
    if feature == "quartier":
        if value == HORS_QPV:
            return "hors QPV"
        name = (names or {}).get(value)
        return f"quartier {name} ({value})" if name else f"quartier {value}"
    if feature == "moins_25":
        return "moins de 25 ans" if value == "oui" else "25 ans et plus"
    return f"{feature.removeprefix('critere_')} : {value}"


def features_of(criteres: Sequence[str], minimum_moins_25: int) -> list[str]:
    """Critères demandés → colonnes de stratification (âge × sexe ajouté si les deux)."""
    out: list[str] = []
    for c in criteres:
        name = c if c in BASE_CRITERIA or c.startswith("critere_") else f"critere_{c}"
        if name not in out:
            out.append(name)
    if "sexe" in out and "tranche_age" in out:
        out.insert(out.index("tranche_age") + 1, "age_sexe")
    if minimum_moins_25 > 0:
        out.append("moins_25")
    return out


def _band_of(age: object, band: object) -> str | None:
    if isinstance(band, str) and band:
        return band
    if pd.isna(age):  # type: ignore[arg-type]
        return None
    for b, low in sorted(BAND_MIN_AGE.items(), key=lambda kv: -kv[1]):
        if int(age) >= low:  # type: ignore[call-overload]
            return b
    return None


def _under_25(age: object, band: str | None) -> str | None:
    if not pd.isna(age):  # type: ignore[arg-type]
        return "oui" if int(age) < 25 else "non"  # type: ignore[call-overload]
    if band in ("0-14",):
        return "oui"
    if band is not None and BAND_MIN_AGE[band] >= 25:
        return "non"
    return None  # 15-29 ans sans âge : indécidable


def pool_features(
    vivier: pd.DataFrame, criteres: Sequence[str], minimum_moins_25: int = 0
) -> tuple[pd.DataFrame, list[Problem]]:
    """Une ligne par personne retenue (index ``personne``, une colonne texte par critère).

    Une personne sans valeur pour un critère, ou de moins de 15 ans, est retirée du vivier
    avec un avertissement (fichier, ligne, colonne) : jamais en silence.
    """
    feats = features_of(criteres, minimum_moins_25)
    rows, warnings = {}, []
    for rec in vivier.to_dict("records"):
        band = _band_of(rec.get("age"), rec.get("tranche_age"))
        quartier = rec.get("quartier")
        quartier = quartier if isinstance(quartier, str) and quartier else None
        lives = rec.get("habite_qpv")
        lives = None if pd.isna(lives) else bool(lives)
        if lives is None and quartier is not None:
            lives = True
        values: dict[str, str | None] = {}
        sex = rec.get("sexe") if isinstance(rec.get("sexe"), str) else None
        for f in feats:
            if f == "sexe":
                values[f] = sex
            elif f == "tranche_age":
                values[f] = band
            elif f == "age_sexe":
                values[f] = f"{band}|{sex}" if band and sex else None
            elif f == "qpv":
                values[f] = None if lives is None else ("oui" if lives else "non")
            elif f == "quartier":
                values[f] = quartier or (HORS_QPV if lives is False else None)
            elif f == "moins_25":
                values[f] = _under_25(rec.get("age"), band)
            else:
                v = rec.get(f)
                values[f] = str(v).strip() if isinstance(v, str) and v.strip() else None
        missing = [f for f, v in values.items() if v is None]
        where = {"file": str(rec.get("source") or "vivier"), "severity": "avertissement",
                 "row": None if pd.isna(rec.get("ligne")) else int(rec["ligne"])}  # fmt: skip
        if missing:
            shown = ", ".join(criterion_label(f).lower() for f in missing)
            warnings.append(Problem(**where, column=missing[0], found=rec["personne"],
                message=f"personne retirée du vivier du panel : {shown} non renseigné(s)"))  # fmt: skip
        elif band == "0-14":
            warnings.append(Problem(**where, column="tranche_age", found=rec["personne"],
                message="personne retirée du vivier du panel : moins de 15 ans (le panel "
                        "et sa population de référence comptent les 15 ans et plus)"))  # fmt: skip
        else:
            rows[str(rec["personne"])] = values
    frame = pd.DataFrame.from_dict(rows, orient="index", columns=feats, dtype=object)
    frame.index.name = "personne"
    return frame.sort_index(), warnings


@dataclass
class Reference:
    """Population de référence du panel (territoire, pyramide, quartiers)."""

    description: str  # phrase française : quel territoire, et pourquoi
    pyramid: dict[tuple[str, str], float] = field(default_factory=dict)  # (sexe, tranche)
    total: float | None = None  # population du territoire (tous âges)
    quartiers: dict[str, float] = field(default_factory=dict)  # code → population
    is_quartiers_sum: bool = False


def _total(rows: pd.DataFrame, code: str, pyramid: dict | None) -> float | None:
    pop = _latest_population(rows, code)
    return pop if pop is not None else (sum(pyramid.values()) if pyramid else None)


def reference_population(
    valeurs: pd.DataFrame,
    territoires: pd.DataFrame,
    quartiers: Sequence[str],
    territoire_reference: str | None = None,
    names: Mapping[str, str] | None = None,
) -> Reference | None:
    """Territoire de référence : ``territoire_reference``, sinon l'EPCI ou la commune du
    territoire qui a une pyramide, sinon la somme des quartiers ; None sans aucune pyramide.

    ``ValueError`` (message français) si ``territoire_reference`` n'a pas de pyramide.
    """
    names = names or {}
    by_code = {str(c): g for c, g in valeurs.groupby("code", sort=False)}
    empty = valeurs.iloc[0:0]

    def pyr(code: str) -> dict | None:
        return _pyramid(by_code.get(code, empty), code)

    qpops = {}
    for q in quartiers:
        rows = by_code.get(q, empty)
        qpops[q] = _total(rows, q, pyr(q))
    known_q = {q: p for q, p in qpops.items() if p is not None}
    chosen: list[tuple[str, dict]] = []
    why = ""
    if territoire_reference:
        p = pyr(territoire_reference)
        if p is None:
            raise ValueError(
                f"[panel] territoire_reference = « {territoire_reference} » : aucune pyramide "
                "des âges complète (indicateurs pop_hommes_0_14 … pop_femmes_75_plus) pour ce "
                "code dans les indicateurs chargés."
            )
        chosen, why = [(territoire_reference, p)], "territoire de référence configuré"
    else:
        for niveau, label in (("epci", "EPCI du territoire"), ("commune", "commune du territoire")):
            codes = territoires.loc[territoires["niveau"] == niveau, "code"].astype(str)
            found = [(c, p) for c in codes if (p := pyr(c)) is not None]
            if len(found) == 1:
                chosen, why = found, label
                break
            if len(found) > 1 and niveau == "commune":
                chosen, why = found, f"somme des {len(found)} communes du territoire"
    if chosen:
        known_q = _inside(territoires, known_q, {c for c, _ in chosen})
        pyramid: dict[tuple[str, str], float] = {}
        for _, p in chosen:
            for k, v in p.items():
                pyramid[k] = pyramid.get(k, 0.0) + v
        totals = [_total(by_code.get(c, empty), c, p) for c, p in chosen]
        shown = ", ".join(f"{names.get(c, c)} ({c})" if names.get(c) else c for c, _ in chosen)
        return Reference(f"{shown} — {why}", pyramid, sum(t for t in totals if t), known_q)
    pyramids = [(q, p) for q in quartiers if (p := pyr(q)) is not None]
    if not pyramids:
        return None
    pyramid = {}
    for _, p in pyramids:
        for k, v in p.items():
            pyramid[k] = pyramid.get(k, 0.0) + v
    return Reference(
        f"somme des {len(pyramids)} quartiers qui ont une pyramide des âges (aucune pyramide "
        "de l'EPCI ni d'une commune du territoire)",
        pyramid, sum(known_q.values()), known_q, is_quartiers_sum=True,
    )  # fmt: skip


def _inside(territoires: pd.DataFrame, pops: dict[str, float], codes: set[str]) -> dict:
    """Quartiers situés dans le territoire de référence (par leurs codes parents) ; tous si
    aucun parent ne le dit (table des territoires sans parents)."""
    qpv = territoires[territoires["niveau"] == "qpv"]
    parents = {}
    for rec in qpv.to_dict("records"):
        listed = set()
        for col in ("communes", "epci", "departement", "region"):
            value = rec.get(col)
            if isinstance(value, str):
                listed.update(v for v in value.split(";") if v)
        parents[str(rec["code"])] = listed
    kept = {q: p for q, p in pops.items() if parents.get(q, set()) & codes}
    return kept or pops


def population_shares(feature: str, ref: Reference | None) -> dict[str, float] | None:
    """Population par valeur d'un critère, ou None si elle n'est pas connue."""
    if ref is None or feature.startswith("critere_") or feature == "moins_25":
        return None
    pyr = {k: v for k, v in ref.pyramid.items() if k[1] in BANDS}
    if feature == "sexe":
        return {s: sum(v for (sx, _), v in pyr.items() if sx == s) for s in ("F", "H")}
    if feature == "tranche_age":
        return {b: sum(v for (_, bd), v in pyr.items() if bd == b) for b in BANDS}
    if feature == "age_sexe":
        return {f"{b}|{s}": pyr.get((s, b), 0.0) for b in BANDS for s in ("F", "H")}
    if ref.is_quartiers_sum or not ref.total or not ref.quartiers:
        return None
    inside = sum(ref.quartiers.values())
    if inside > ref.total:
        return None
    if feature == "qpv":
        return {"oui": inside, "non": ref.total - inside}
    return {**ref.quartiers, HORS_QPV: ref.total - inside}  # quartier


def largest_remainder(weights: Mapping[str, float], total: int) -> dict[str, int]:
    """Entiers proportionnels à ``weights`` qui somment à ``total`` (plus forts restes).

    >>> largest_remainder({"F": 52, "H": 48}, 5)
    {'F': 3, 'H': 2}
    """
    s = float(sum(weights.values()))
    if s <= 0:
        raise ValueError("répartition sans effectif")
    exact = {k: total * float(w) / s for k, w in weights.items()}
    out = {k: int(v) for k, v in exact.items()}
    order = sorted(exact, key=lambda k: (-(exact[k] - out[k]), -exact[k], list(exact).index(k)))
    for k in order[: total - sum(out.values())]:
        out[k] += 1
    return out


def build_quotas(
    pool: pd.DataFrame,
    ref: Reference | None,
    taille: int,
    marge: int = 1,
    minimum_moins_25: int = 0,
    names: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Table des quotas : une ligne par critère et valeur (colonnes :data:`QUOTA_COLUMNS`).

    ``base`` : « population » (recensement), « vivier » (répartition du vivier faute de
    population) ou « minimum » (moins de 25 ans). ``cible`` : sièges proportionnels.
    """
    rows = []
    n = len(pool)
    for feature in pool.columns:
        counts = pool[feature].value_counts()
        if feature == "moins_25":
            for value, lo, hi in (("oui", minimum_moins_25, taille),
                                  ("non", 0, max(taille - minimum_moins_25, 0))):  # fmt: skip
                rows.append(_row(feature, value, "minimum", None, None, counts, n, None, lo, hi,
                                 names))  # fmt: skip
            continue
        pop = population_shares(feature, ref)
        if pop is not None and any(v not in pop for v in counts.index):
            pop = None  # une valeur du vivier sans population : répartition du vivier
        base = "population" if pop else "vivier"
        weights = pop if pop else {str(v): float(c) for v, c in sorted(counts.items())}
        if sum(weights.values()) <= 0:
            base, weights = "vivier", {str(v): float(c) for v, c in sorted(counts.items())}
        if not weights:
            continue
        target = largest_remainder(weights, taille)
        total = sum(weights.values())
        for value, seats in target.items():
            lo, hi = max(seats - marge, 0), min(seats + marge, taille)
            population = weights[value] if base == "population" else None
            share = weights[value] / total if base == "population" else None
            rows.append(_row(feature, value, base, population, share, counts, n, seats, lo, hi,
                             names))  # fmt: skip
    return pd.DataFrame(rows, columns=QUOTA_COLUMNS)


def _row(feature, value, base, population, share, counts, n, seats, lo, hi, names) -> dict:
    count = int(counts.get(value, 0))
    return {
        "critere": feature, "valeur": value, "libelle_critere": criterion_label(feature),
        "libelle_valeur": value_label(feature, value, names), "base": base,
        "population": population, "part_population": share, "vivier": count,
        "part_vivier": count / n if n else None, "cible": seats, "min": int(lo), "max": int(hi),
    }  # fmt: skip


def _people(n: int) -> str:
    if n == 0:
        return "aucune personne dans le vivier"
    return "1 seule personne dans le vivier" if n == 1 else f"{n} personnes dans le vivier"


def asked(n: int) -> str:
    """« 1 siège demandé », « 3 sièges demandés »."""
    return f"{seats(n)} demandé" + ("" if n == 1 else "s")


def seats(n: int) -> str:
    """« 1 siège », « 3 sièges »."""
    return f"{n} siège" if n == 1 else f"{n} sièges"


def explain_infeasible(quotas: pd.DataFrame, pool: pd.DataFrame, taille: int) -> list[str]:
    """Raisons évidentes (sans solveur) pour lesquelles aucun panel ne respecte les quotas."""
    out = []
    if len(pool) < taille:
        out.append(f"le vivier compte {_people(len(pool)).removesuffix(' dans le vivier')} "
                   f"pour un panel de {seats(taille)} (il en manque {taille - len(pool)})")  # fmt: skip
    for r in quotas.itertuples(index=False):
        if r.vivier < r.min:
            out.append(f"{r.libelle_valeur} : {asked(r.min)} au moins, "
                       f"{_people(r.vivier)} (il en manque {r.min - r.vivier})")  # fmt: skip
    for feature, g in quotas.groupby("critere", sort=False):
        reachable = int(sum(min(m, v) for m, v in zip(g["max"], g["vivier"], strict=True)))
        if len(pool) >= taille and reachable < taille:
            out.append(f"{criterion_label(feature).lower()} : les maximums des quotas et le "
                       f"vivier ne permettent de pourvoir que {seats(reachable)} sur {taille}")  # fmt: skip
        if g["min"].sum() > taille:
            out.append(f"{criterion_label(feature).lower()} : les minimums des quotas demandent "
                       f"{seats(int(g['min'].sum()))}, plus que les {taille} du panel")  # fmt: skip
    young = quotas[(quotas["critere"] == "moins_25") & (quotas["valeur"] == "oui")]
    bands = quotas[(quotas["critere"] == "tranche_age") & (quotas["valeur"] == "15-29")]
    if len(young) and len(bands) and int(young["min"].iloc[0]) > int(bands["max"].iloc[0]):
        need, cap = int(young["min"].iloc[0]), int(bands["max"].iloc[0])
        out.append(f"moins de 25 ans : {asked(need)} au moins, mais la tranche "
                   f"15-29 ans en reçoit au plus {cap} (il en manque {need - cap} ; "
                   "augmentez la marge ou baissez minimum_moins_25)")  # fmt: skip
    return out
