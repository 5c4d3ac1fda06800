"""Aide partagée : ouvrir un fichier HTML dans Chromium headless, réseau coupé.

Toute requête dont le schéma n'est pas ``file:``, ``data:``, ``about:`` ou ``blob:``
est refusée (``route.abort``) et notée. Sont aussi collectées les erreurs de la
console, les erreurs de page (exceptions JavaScript) et les boîtes de dialogue
(``alert``/``confirm``/``prompt``, refermées aussitôt : signe d'injection).

Usage dans un test ::

    from browser import chromium, open_offline  # noqa: F401  (fixture pytest)

    def test_page(chromium, tmp_path):
        with open_offline(chromium, tmp_path / "page.html") as page:
            assert page.blocked == [] and page.console_errors == []
            page.page.locator("path.leaflet-interactive").count()

Si ``/usr/bin/chromium`` (ou ``$CHROMIUM``) est absent, les tests sont ignorés avec
une raison claire, listée dans le bilan de pytest (``tests/conftest.py``) — sauf si la
variable d'environnement ``CI`` est définie : échec. ``make test`` installe Chromium
(``.ci/paquets-systeme``).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ALLOWED_SCHEMES = ("file:", "data:", "about:", "blob:")


def chromium_path() -> str | None:
    """Chemin de Chromium (``$CHROMIUM``, ``/usr/bin/chromium`` ou dans le PATH)."""
    for candidate in (os.environ.get("CHROMIUM"), "/usr/bin/chromium"):
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("chromium") or shutil.which("chromium-browser")


def in_ci() -> bool:
    """Vrai en intégration continue (variable ``CI`` définie, ni vide, ni ``0``/``false``)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "non")


def _unavailable(problem: str) -> None:
    """Ignore le test en disant pourquoi ; en intégration continue (``CI``), échoue."""
    if in_ci():
        pytest.fail(f"{problem} : le navigateur est requis en intégration continue (variable CI)")
    pytest.skip(f"{problem} : tests navigateur ignorés")


@dataclass
class OfflinePage:
    """Page ouverte et ce qui s'y est passé."""

    page: object
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    @property
    def problems(self) -> list[str]:
        """Tout ce qui devrait être vide pour une page autonome et saine."""
        return (
            [f"requête refusée : {u}" for u in self.blocked]
            + [f"console : {m}" for m in self.console_errors]
            + [f"erreur de page : {m}" for m in self.page_errors]
            + [f"boîte de dialogue : {m}" for m in self.dialogs]
        )


# Un seul Chromium par processus de test : chaque module qui importe la fixture en
# déclare une copie, et playwright (sync) refuse d'être démarré deux fois à la fois.
_SHARED: dict[str, object] = {"users": 0}


@pytest.fixture(scope="session")
def chromium():
    """Navigateur Chromium headless (playwright sync), partagé par la session de tests."""
    if "browser" not in _SHARED:
        _SHARED["manager"], _SHARED["browser"] = _launch()
    _SHARED["users"] = int(_SHARED["users"]) + 1
    try:
        yield _SHARED["browser"]
    finally:
        _SHARED["users"] = int(_SHARED["users"]) - 1
        if _SHARED["users"] == 0:
            browser, manager = _SHARED.pop("browser"), _SHARED.pop("manager")
            browser.close()
            manager.stop()


def _launch():
    executable = chromium_path()
    if executable is None:
        _unavailable(
            "Chromium introuvable (/usr/bin/chromium, $CHROMIUM ; `make test` l'installe"
            " par .ci/paquets-systeme)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable('playwright n\'est pas installé (pip install -e ".[test]")')
    manager = sync_playwright().start()
    try:
        browser = manager.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    except Exception as exc:  # lancement impossible (bibliothèques manquantes…)
        manager.stop()
        _unavailable(f"Chromium ne démarre pas : {exc}")
    return manager, browser


@contextmanager
def open_offline(
    browser, path: str | Path, *, wait_ms: int = 300, viewport: tuple[int, int] = (1200, 900)
) -> Iterator[OfflinePage]:
    """Ouvre ``path`` (fichier local) réseau coupé ; la page reste ouverte dans le bloc."""
    context = browser.new_context(
        viewport={"width": viewport[0], "height": viewport[1]}, java_script_enabled=True
    )
    page = context.new_page()
    result = OfflinePage(page)

    def route(r) -> None:
        url = r.request.url
        if url.startswith(ALLOWED_SCHEMES):
            r.continue_()
        else:
            result.blocked.append(url)
            r.abort()

    context.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and result.console_errors.append(m.text))
    page.on("pageerror", lambda e: result.page_errors.append(str(e)))

    def dialog(d) -> None:
        result.dialogs.append(f"{d.type} : {d.message}")
        d.dismiss()

    page.on("dialog", dialog)
    try:
        page.goto(Path(path).resolve().as_uri(), wait_until="load")
        page.wait_for_timeout(wait_ms)
        yield result
    finally:
        context.close()
