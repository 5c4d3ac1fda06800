"""pyproject.toml et environment.yml listent les mêmes dépendances (noms normalisés)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# noms conda-forge qui diffèrent du nom PyPI (PyPI → conda)
CONDA_NAMES: dict[str, str] = {}
_REQ = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$")


def normalise(requirement: str) -> tuple[str, str]:
    """``"Pandas >= 2.2, <3"`` → ``("pandas", ">=2.2,<3")`` (PEP 503 pour le nom)."""
    m = _REQ.match(requirement)
    assert m, requirement
    name = re.sub(r"[-_.]+", "-", m.group(1)).lower()
    spec = re.sub(r"\s+", "", m.group(3).split(";")[0])
    return CONDA_NAMES.get(name, name), spec


def pyproject_requirements() -> dict[str, str]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = data["project"]
    reqs = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        reqs += extra
    return dict(normalise(r) for r in reqs)


def environment_requirements() -> dict[str, str]:
    """Lit les entrées ``- nom>=x`` de environment.yml (conda et section pip)."""
    reqs: dict[str, str] = {}
    in_deps = False
    for line in (ROOT / "environment.yml").read_text(encoding="utf-8").splitlines():
        text = line.split("#", 1)[0].rstrip()
        if not text.strip():
            continue
        if not text.startswith(" ") and not text.startswith("-"):
            in_deps = text.startswith("dependencies:")
            continue
        item = text.strip()
        if not in_deps or not item.startswith("- ") or item.endswith(":"):
            continue
        name, spec = normalise(item[2:])
        if name in ("python", "pip"):
            continue
        reqs[name] = spec
    return reqs


def test_same_dependency_names():
    py, env = pyproject_requirements(), environment_requirements()
    only_py = sorted(set(py) - set(env))
    only_env = sorted(set(env) - set(py))
    assert not only_py, f"dans pyproject.toml mais pas dans environment.yml : {only_py}"
    assert not only_env, f"dans environment.yml mais pas dans pyproject.toml : {only_env}"


def test_same_version_constraints():
    py, env = pyproject_requirements(), environment_requirements()
    differ = {n: (py[n], env[n]) for n in set(py) & set(env) if py[n] != env[n]}
    assert not differ, f"contraintes de version différentes (pyproject, environment) : {differ}"


def test_normalisation():
    assert normalise("Pandas >= 2.2, <3") == ("pandas", ">=2.2,<3")
    assert normalise("xstatic_leaflet>=1.9") == ("xstatic-leaflet", ">=1.9")
    assert normalise("dask[dataframe]>=2024.8") == ("dask", ">=2024.8")
