"""Fixtures partagées : chemins du dépôt, données de démonstration."""

from __future__ import annotations

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
