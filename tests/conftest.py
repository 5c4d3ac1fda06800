"""Fixtures partagées (chemins du dépôt, données de démonstration) et bilan des tests ignorés."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
DEMO_CONFIG = ROOT / "data" / "demo" / "observatoire.toml"


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def demo_config() -> Path:
    if not DEMO_CONFIG.exists():
        pytest.fail("data/demo/observatoire.toml absent : lancez `observatoire demo`")
    return DEMO_CONFIG


@pytest.fixture(scope="session")
def obs_demo(demo_config):
    """Le territoire fictif chargé (cache Parquet partagé)."""
    import observatoire

    return observatoire.open(demo_config)


# ------------------------------------------------------------------ tests ignorés
# Un test ignoré n'est jamais caché : `-ra` (pyproject.toml) le liste avec sa raison, et ce
# bilan le redit en français. Avec la variable CI définie, un seul test ignoré fait échouer
# le lancement (code 1) : en intégration continue, tout doit tourner.


def _skipped(config: pytest.Config) -> list[tuple[str, str]]:
    """(test, raison) de chaque test ignoré, vu par le contrôleur (xdist compris)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return []
    found = []
    for report in reporter.stats.get("skipped", []):
        if hasattr(report, "wasxfail"):
            continue  # xfail : attendu, pas ignoré
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report)
        found.append((report.nodeid or str(report.fspath), reason.removeprefix("Skipped: ")))
    return found


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "non")


def _is_controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    ci = _in_ci() and _is_controller(session.config)
    if ci and session.exitstatus == pytest.ExitCode.OK and _skipped(session.config):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    skipped = _skipped(config) if _is_controller(config) else []
    if not skipped:
        return
    ci = _in_ci()
    title = "ÉCHEC : tests ignorés en intégration continue" if ci else "Tests ignorés"
    terminalreporter.section(title, sep="=", red=ci, yellow=not ci, bold=True)
    for nodeid, reason in skipped:
        terminalreporter.line(f"  {nodeid} : {reason}")
    if ci:
        terminalreporter.line(
            f"{len(skipped)} test(s) ignoré(s) alors que la variable CI est définie : le "
            "lancement échoue. Installez ce qui manque (`make test` le fait : "
            ".ci/paquets-systeme) ou lancez les tests en root (montages des tests de pannes).",
            red=True,
        )
    else:
        terminalreporter.line(
            f"{len(skipped)} test(s) ignoré(s) ; avec la variable CI définie, ce lancement "
            "échouerait.",
            yellow=True,
        )
