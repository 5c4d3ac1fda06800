"""Tirage au sort stratifié d'un panel citoyen (fonctions pures, sans lecture de fichier).

Le tirage passe par la bibliothèque maintenue ``sortition-algorithms`` : l'algorithme
(``maximin`` par défaut, ou ``nash`` ; ``leximin`` demande Gurobi, sous licence
payante) calcule une **distribution de panels** qui respectent les quotas et rend les
chances des personnes les plus équitables possible ; un panel est ensuite tiré dans
cette distribution avec la graine publiée. Chaque personne a ainsi une probabilité de
sélection connue (somme des probabilités = taille du panel).

Reproductibilité : même vivier, mêmes quotas, même graine → même panel, d'un processus à
l'autre. Les personnes sont triées par identifiant et passées à la bibliothèque sous un
numéro (entier) : l'ordre des ensembles Python ne dépend plus du hasard du hachage des
chaînes (``PYTHONHASHSEED``) ; la graine initialise le générateur de la bibliothèque,
dont sont tirées les graines du solveur HiGHS.

Exemple ::

    tirage = draw_panel(feats, quotas, taille=20, graine=2026)
    tirage.selected          # identifiants pseudonymes tirés (triés)
    panel_audit(quotas, feats, tirage.selected)
    probability_summary(tirage.probabilities)
"""

from __future__ import annotations

import contextlib
import logging
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

import pandas as pd

from observatoire.analysis.panel_quotas import asked, explain_infeasible, seats
from observatoire.errors import EXIT_BAD_INPUT, ConfigError, ObservatoireError

ALGORITHMS = ("maximin", "nash", "leximin")
DEFAULT_ALGORITHM = "maximin"


class QuotasInfeasibleError(ObservatoireError):
    """Aucun panel ne peut respecter les quotas : ``reasons`` dit lesquels et de combien."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = list(reasons)
        super().__init__(
            "Quotas du panel impossibles à tenir avec ce vivier :\n"
            + "\n".join(f"  - {r}" for r in self.reasons)
        )


@dataclass
class PanelDraw:
    """Résultat d'un tirage : panel, probabilités de chaque personne, distribution."""

    selected: list[str]
    probabilities: pd.Series  # index personne → probabilité de sélection
    committees: int  # panels de la distribution de probabilité non nulle
    algorithm: str
    seed: int


def check_algorithm(algorithme: str) -> str:
    """Algorithme accepté, ou :class:`ConfigError` française (leximin sans Gurobi)."""
    from sortition_algorithms.committee_generation import GUROBI_AVAILABLE

    if algorithme not in ALGORITHMS:
        raise ConfigError(
            f"[panel] algorithme = « {algorithme} » : inconnu. Valeurs possibles : "
            "maximin (défaut), nash, leximin (demande Gurobi)."
        )
    if algorithme == "leximin" and not GUROBI_AVAILABLE:
        raise ConfigError(
            "[panel] algorithme = « leximin » : cet algorithme demande le solveur Gurobi "
            "(logiciel sous licence payante, module Python gurobipy), qui n'est pas installé. "
            "Choisissez « maximin » (défaut : maximise la plus petite probabilité de "
            "sélection) ou « nash » (maximise le produit des probabilités), qui utilisent "
            "des solveurs libres ; ou installez gurobipy avec une licence."
        )
    return algorithme


def check_seed(graine: object) -> int:
    """Graine publiée : entier non nul (0 = tirage non reproductible pour la bibliothèque)."""
    if graine is None:
        raise ConfigError(
            "Graine du tirage absente : indiquez [panel] graine = ENTIER dans la configuration "
            "ou --graine ENTIER. Publiez-la avant le tirage : avec le même vivier, elle "
            "redonne le même panel."
        )
    if isinstance(graine, bool) or not isinstance(graine, int) or graine == 0:
        raise ConfigError(
            f"Graine du tirage invalide (valeur trouvée : « {graine} ») : attendu un nombre "
            "entier différent de 0 (0 rendrait le tirage non reproductible)."
        )
    return graine


@contextlib.contextmanager
def _quiet_and_restored() -> Iterator[None]:
    """Journaux anglais de la bibliothèque coupés ; état de ``random`` rendu à la sortie."""
    import os
    import sys

    loggers = [logging.getLogger(n) for n in ("sortition_algorithms", "sortition_algorithms_user")]
    before = [lg.disabled for lg in loggers]
    state = random.getstate()
    for lg in loggers:
        lg.disabled = True
    try:  # bannière de HiGHS écrite par le code C sur la sortie standard (descripteur 1)
        sys.stdout.flush()
        saved, devnull = os.dup(1), os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
    except (OSError, ValueError):  # pas de descripteur 1 (service, sortie fermée)
        saved = devnull = None
    try:
        yield
    finally:
        if saved is not None and devnull is not None:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        for lg, was in zip(loggers, before, strict=True):
            lg.disabled = was
        random.setstate(state)


PHASES = {
    "multiplicative_weights": "recherche de panels de départ",
    "maximin_optimization": "optimisation des probabilités (maximin)",
    "nash_optimization": "optimisation des probabilités (nash)",
}


PROGRESS_EVERY = 15.0  # secondes entre deux lignes d'avancement


class FrenchProgress:
    """Avancement de la bibliothèque rendu en français, au plus une ligne toutes les
    ``every`` secondes (ses messages anglais ne sont jamais montrés)."""

    def __init__(self, emit: Callable[[str], None], every: float | None = None) -> None:
        self.emit, self.every = emit, PROGRESS_EVERY if every is None else every
        self.name, self.total, self.last = "", None, time.monotonic()

    def start_phase(self, name: str, total: int | None = None, *, message: str | None = None):
        self.name, self.total = name, total

    def update(self, current: int, *, message: str | None = None) -> None:
        now = time.monotonic()
        if now - self.last < self.every:
            return
        self.last = now
        label = PHASES.get(self.name, "calcul")
        step = f"tour {current} sur {self.total}" if self.total else f"itération {current}"
        self.emit(f"Tirage en cours : {label}, {step}…")

    def end_phase(self) -> None:
        pass


def _features(quotas: pd.DataFrame):
    from sortition_algorithms.features import FeatureValueMinMax, set_default_max_flex

    fc: dict = {}
    for r in quotas.itertuples(index=False):
        fc.setdefault(r.critere, {})[r.valeur] = FeatureValueMinMax(min=int(r.min), max=int(r.max))
    set_default_max_flex(fc)
    return fc


def _relaxation_reasons(relaxed, quotas: pd.DataFrame) -> list[str]:
    """Quotas à assouplir selon la bibliothèque, en français (quel quota, de combien)."""
    out = []
    for r in quotas.itertuples(index=False):
        new = relaxed[r.critere][r.valeur]
        if new.min < r.min:
            out.append(f"{r.libelle_valeur} : {asked(r.min)} au moins ; compte tenu "
                       f"des autres quotas, le tirage n'est possible qu'avec un minimum de "
                       f"{new.min} (il en manque {r.min - new.min})")  # fmt: skip
        if new.max > r.max:
            out.append(f"{r.libelle_valeur} : {seats(r.max)} au plus ; compte tenu des "
                       f"autres quotas, le tirage n'est possible qu'avec un maximum de "
                       f"{new.max} ({new.max - r.max} de plus)")  # fmt: skip
    return out or ["les quotas se contredisent (aucune combinaison du vivier ne les tient tous)"]


def _library_failure(exc: Exception) -> ObservatoireError:
    code = getattr(exc, "error_code", "") or type(exc).__name__
    return ObservatoireError(
        "Le tirage du panel a échoué dans la bibliothèque sortition-algorithms (code "
        f"« {code} ») : vérifiez le vivier et les quotas, ou relancez avec --debug."
    )


def warm_start_rounds(people: int, taille: int) -> int:
    """Tours de l'amorce (poids multiplicatifs) : la bibliothèque en fait un par personne
    (deux pour nash), soit des heures pour 5 000 personnes ; l'amorce ne fait que proposer
    des panels de départ, l'optimisation qui suit va jusqu'à l'optimum quel que soit leur
    nombre (et chaque personne tirable est couverte par au moins un panel)."""
    return min(people, max(100, 3 * -(-people // max(taille, 1))))


def _maximin(features, people, taille: int, address: list, reporter=None):
    """``find_distribution_maximin`` de la bibliothèque, amorce plafonnée."""
    from sortition_algorithms.committee_generation import maximin as mx
    from sortition_algorithms.committee_generation.common import (
        generate_initial_committees,
        setup_committee_generation,
    )
    from sortition_algorithms.utils import RunReport

    solver, agent_vars = setup_committee_generation(features, people, taille, address)
    rounds = warm_start_rounds(people.count, taille)
    committees, covered, _ = generate_initial_committees(
        solver, agent_vars, rounds, progress_reporter=reporter
    )
    incremental, incr_vars, upper = mx._setup_maximin_incremental_model(committees, covered)
    return mx._run_maximin_optimization_loop(
        new_committee_solver=solver, agent_vars=agent_vars, incremental_solver=incremental,
        incr_agent_vars=incr_vars, upper_bound_var=upper, committees=committees,
        covered_agents=covered, report=RunReport(), progress_reporter=reporter,
    )  # fmt: skip


def _nash(features, people, taille: int, address: list, reporter=None):
    """``find_distribution_nash`` de la bibliothèque, amorce plafonnée."""
    from sortition_algorithms.committee_generation import nash as nh
    from sortition_algorithms.committee_generation.common import (
        generate_initial_committees,
        setup_committee_generation,
    )
    from sortition_algorithms.utils import RunReport

    solver, agent_vars = setup_committee_generation(features, people, taille, address)
    rounds = 2 * warm_start_rounds(people.count, taille)
    committees, covered, _ = generate_initial_committees(
        solver, agent_vars, rounds, progress_reporter=reporter
    )
    entitlements, contributes = nh._define_entitlements(covered)
    return nh._run_nash_optimization_loop(
        solver, agent_vars, list(committees), entitlements, contributes, covered, taille,
        RunReport(), progress_reporter=reporter,
    )  # fmt: skip


def draw_panel(
    pool: pd.DataFrame,
    quotas: pd.DataFrame,
    taille: int,
    graine: int,
    algorithme: str = DEFAULT_ALGORITHM,
    progress: Callable[[str], None] | None = None,
) -> PanelDraw:
    """Tire un panel de ``taille`` personnes de ``pool`` (index = identifiant) sous ``quotas``.

    Lève :class:`QuotasInfeasibleError` (explication française) sans lancer le solveur
    quand l'impossibilité est évidente, ou d'après la relaxation de la bibliothèque.
    ``progress`` reçoit des lignes d'avancement en français (tirages longs).
    """
    from sortition_algorithms import errors as sa_errors
    from sortition_algorithms.committee_generation import (
        find_distribution_leximin,
        standardize_distribution,
    )
    from sortition_algorithms.core import lottery_rounding
    from sortition_algorithms.people import People
    from sortition_algorithms.utils import set_random_provider

    algorithme = check_algorithm(algorithme)
    graine = check_seed(graine)
    reasons = explain_infeasible(quotas, pool, taille)
    if reasons:
        raise QuotasInfeasibleError(reasons)
    ids = sorted(str(i) for i in pool.index)
    records = pool.loc[ids].to_dict("records")
    features = _features(quotas)
    reporter = FrenchProgress(progress) if progress else None
    with _quiet_and_restored():
        people = People([])
        for number, rec in enumerate(records):  # numéros entiers : ordre de hachage stable
            people.add(number, rec, features, row_number=number + 2)  # type: ignore[arg-type]
        set_random_provider(graine)
        try:
            if algorithme == "leximin":
                committees, probs, _ = find_distribution_leximin(features, people, taille, [])
            else:
                finder = _maximin if algorithme == "maximin" else _nash
                committees, probs, _ = finder(features, people, taille, [], reporter)
        except sa_errors.InfeasibleQuotasError as exc:
            raise QuotasInfeasibleError(_relaxation_reasons(exc.features, quotas)) from None
        except (sa_errors.SortitionBaseError, RuntimeError, ValueError, AssertionError) as exc:
            raise _library_failure(exc) from None
        committees, probs = standardize_distribution(committees, probs)
        order = sorted(range(len(committees)), key=lambda i: sorted(committees[i]))
        committees, probs = [committees[i] for i in order], [probs[i] for i in order]
        chosen = lottery_rounding(committees, probs, 1)[0]
    per_person = [0.0] * len(ids)
    for committee, p in zip(committees, probs, strict=True):
        for number in committee:
            per_person[number] += p  # type: ignore[index]
    probabilities = pd.Series(per_person, index=pd.Index(ids, name="personne"), name="probabilite")
    selected = sorted(ids[n] for n in chosen)  # type: ignore[index]
    return PanelDraw(selected, probabilities, len(committees), algorithme, graine)


def panel_audit(quotas: pd.DataFrame, pool: pd.DataFrame, selected: Sequence[str]) -> pd.DataFrame:
    """Quotas, composition du panel et parts (population, vivier, panel) par critère et valeur.

    Colonnes ajoutées à celles des quotas : ``panel`` (sièges obtenus), ``part_panel``,
    ``tenu`` (min ≤ panel ≤ max).
    """
    chosen = pool.loc[list(selected)]
    out = quotas.copy()
    out["panel"] = [
        int((chosen[f] == v).sum()) for f, v in zip(out["critere"], out["valeur"], strict=True)
    ]
    out["part_panel"] = out["panel"] / len(selected) if len(selected) else float("nan")
    out["tenu"] = (out["panel"] >= out["min"]) & (out["panel"] <= out["max"])
    return out


def probability_summary(probabilities: pd.Series) -> dict[str, float]:
    """Minimum, médiane, maximum et somme des probabilités de sélection (somme = taille)."""
    p = probabilities.astype(float)
    return {
        "personnes": float(len(p)),
        "minimum": float(p.min()),
        "mediane": float(p.median()),
        "maximum": float(p.max()),
        "somme": float(p.sum()),
        "jamais": float((p < 1e-9).sum()),
    }
