"""Erreurs typées d'observatoire, toutes avec un message en français pour l'agent.

Un lecteur ne lève pas à la première anomalie : il accumule des :class:`Problem`
dans un :class:`ProblemCollector` puis lève une seule :class:`InputError` qui les
liste tous (fichier, ligne, colonne, valeur trouvée, valeur attendue).

Exemple ::

    problems = ProblemCollector("indicateurs.csv")
    problems.add(row=4, column="taux_pauvrete", found="abc", expected="un nombre")
    problems.raise_if_any()   # InputError listant toutes les anomalies
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from observatoire.text_clean import visible

# Code de sortie des erreurs d'entrée ou de configuration (CLI).
EXIT_BAD_INPUT = 2


@dataclass(frozen=True)
class Problem:
    """Une anomalie localisée dans un fichier d'entrée.

    ``row`` est le numéro de ligne tel que l'agent le voit dans son tableur
    (1 = première ligne du fichier, en-tête compris) ; ``None`` si l'anomalie
    concerne tout le fichier.
    """

    file: str
    message: str = ""
    row: int | None = None
    column: str | None = None
    found: object = None
    expected: str | None = None
    severity: str = "erreur"  # "erreur" | "avertissement"

    def format_fr(self) -> str:
        """Rend l'anomalie en une ligne française lisible."""
        where = [f"fichier {self.file}"]
        if self.row is not None:
            where.append(f"ligne {self.row}")
        if self.column is not None:
            where.append(f"colonne « {self.column} »")
        parts = [", ".join(where)]
        if self.message:
            parts.append(self.message)
        if self.found is not None:
            parts.append(f"valeur trouvée : « {_short(self.found)} »")
        if self.expected:
            parts.append(f"attendu : {self.expected}")
        return visible(" — ".join(parts))  # une cellule ne pilote jamais le terminal


def _short(value: object, limit: int = 80) -> str:
    text = str(value).replace("\n", "\\n").replace("\x00", "\\0")
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ObservatoireError(Exception):
    """Base de toutes les erreurs d'observatoire (message en français)."""

    exit_code = 1


class ConfigError(ObservatoireError):
    """Fichier observatoire.toml absent, illisible ou incohérent."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        self.problems = list(problems)
        super().__init__(message)

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        return head + "\n" + "\n".join(f"  - {p.format_fr()}" for p in self.problems)


class InputError(ObservatoireError):
    """Un ou plusieurs fichiers d'entrée contiennent des anomalies bloquantes."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = [p for p in problems]
        super().__init__(self.format_fr())

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "erreur"]

    def format_fr(self) -> str:
        errors = [p for p in self.problems if p.severity == "erreur"]
        files = sorted({p.file for p in errors})
        head = (
            f"{len(errors)} anomalie(s) bloquante(s) dans "
            f"{len(files)} fichier(s) : {', '.join(files)}"
        )
        return head + "\n" + "\n".join(f"  - {p.format_fr()}" for p in _capped(errors))


MAX_LISTED_PER_FILE = 200  # anomalies détaillées par fichier dans un message


def _capped(errors: list[Problem]) -> list[Problem]:
    """Au plus :data:`MAX_LISTED_PER_FILE` anomalies par fichier, puis une ligne qui donne
    le total (sauf si le fichier a déjà son résumé, voir :class:`ProblemCollector`)."""
    shown: dict[str, int] = {}
    total: dict[str, int] = {}
    summarised = {p.file for p in errors if _SUMMARY in p.message}
    out = []
    for p in errors:
        total[p.file] = total.get(p.file, 0) + 1
        if shown.get(p.file, 0) < MAX_LISTED_PER_FILE or _SUMMARY in p.message:
            shown[p.file] = shown.get(p.file, 0) + 1
            out.append(p)
    for file, count in total.items():
        if count > shown[file] and file not in summarised:
            out.append(Problem(file, _summary(count, MAX_LISTED_PER_FILE)))
    return out


_SUMMARY = "anomalies bloquantes au total dans ce fichier"


def _summary(total: int, listed: int) -> str:
    text = f"{total:,} {_SUMMARY} : seules les {listed} premières sont détaillées"
    return text.replace(",", "\u202f")


class PrivacyError(InputError):
    """Un fichier contient des données personnelles directement identifiantes."""


class OutputError(ObservatoireError):
    """Impossible d'écrire les sorties (dossier non inscriptible, disque plein…)."""

    exit_code = EXIT_BAD_INPUT


class ReportError(ObservatoireError):
    """L'exécution ou le rendu d'un rapport a échoué."""

    exit_code = 1


@dataclass
class ProblemCollector:
    """Accumule les anomalies d'un fichier pour les lever toutes ensemble."""

    file: str | Path
    problems: list[Problem] = field(default_factory=list)
    max_per_column: int = 50
    max_per_file: int = 200

    def __post_init__(self) -> None:
        self.file = str(self.file)
        self._per_column: dict[str | None, int] = {}
        self._total = 0  # erreurs signalées, détaillées ou non
        self._listed = 0  # erreurs détaillées
        self._cap: Problem | None = None  # résumé « au-delà de N anomalies »

    def add(
        self,
        message: str = "",
        *,
        row: int | None = None,
        column: str | None = None,
        found: object = None,
        expected: str | None = None,
        severity: str = "erreur",
    ) -> None:
        """Ajoute une anomalie (au-delà de ``max_per_column`` par colonne ou de
        ``max_per_file`` par fichier, résume avec le nombre total)."""
        if severity == "erreur":
            self._total += 1
            if self._cap is not None:
                return
            if self._listed >= self.max_per_file:
                self._cap = Problem(
                    str(self.file),
                    f"au-delà de {self.max_per_file} anomalies dans ce fichier, les suivantes "
                    "ne sont pas détaillées",
                )
                self.problems.append(self._cap)
                return
            self._listed += 1
        count = self._per_column.get(column, 0) + 1
        self._per_column[column] = count
        if count == self.max_per_column + 1:
            self.problems.append(
                Problem(
                    str(self.file),
                    f"au-delà de {self.max_per_column} anomalies dans cette colonne, "
                    "les suivantes ne sont pas détaillées",
                    column=column,
                    severity=severity,
                )
            )
        if count > self.max_per_column:
            return
        self.problems.append(
            Problem(str(self.file), message, row, column, found, expected, severity)
        )

    def summarise(self) -> None:
        """Écrit le nombre total d'anomalies dans le résumé du plafond par fichier."""
        if self._cap is None:
            return
        import dataclasses

        text = _summary(self._total, self.max_per_file)
        index = next((i for i, p in enumerate(self.problems) if p is self._cap), None)
        self._cap = dataclasses.replace(self._cap, message=text)
        if index is not None:
            self.problems[index] = self._cap

    def warn(self, message: str = "", **kwargs: object) -> None:
        """Ajoute un avertissement (les données restent utilisables)."""
        self.add(message, severity="avertissement", **kwargs)  # type: ignore[arg-type]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "erreur"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "avertissement"]

    def raise_if_any(self) -> None:
        """Lève :class:`InputError` s'il y a au moins une erreur bloquante."""
        self.summarise()
        if self.errors:
            raise InputError(self.problems)


def cascade_problem(
    file: str, lines: list[int], column: str, what: str, causes: list[str]
) -> Problem:
    """Un seul message pour les lignes qui renvoient à une source en erreur (la cause, elle,
    est signalée une fois dans le fichier de cette source) : pas d'erreurs en cascade."""
    listed = ", ".join(map(str, lines[:10])) + (" …" if len(lines) > 10 else "")
    files = ", ".join(dict.fromkeys(causes))
    return Problem(
        file,
        f"{len(lines)} ligne(s) (lignes {listed}) renvoient à {what} non vérifiables : "
        f"{files} est en erreur (voir son anomalie ci-dessus), ces lignes n'ont pas été "
        "contrôlées contre elle",
        column=column,
        expected=f"corriger d'abord {files}, puis relancer",
    )


def add_cascade(
    problems: ProblemCollector, lines: list[int], column: str, what: str, causes: list[str]
) -> None:
    """Ajoute à ``problems`` le message unique de :func:`cascade_problem` (rien sans ligne)."""
    if lines:
        problems.problems.append(cascade_problem(problems.file, lines, column, what, causes))
