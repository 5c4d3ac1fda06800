"""Corpus d'entrées invalides : chaque cas passe par la vraie commande ``observatoire valider``.

Les cas sont décrits dans ``tests/corpus/cas.toml`` (un petit fichier par cas dans
``tests/corpus/<famille>/``). Pour chacun : le code de sortie attendu (2 si les
données sont inutilisables, 0 avec un avertissement listé si elles restent
utilisables), le fragment de message français attendu, aucune trace Python, et
RIEN d'écrit — l'arborescence (cache compris) est identique avant et après.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from fiabilite_outils import CORPUS, build_case, load_cases, run_cli, snapshot

CASES = load_cases()
FAMILIES = ("indicateurs", "contours", "participation", "contrat")


def _fragments(case: dict) -> list[str]:
    value = case["message"]
    return [value] if isinstance(value, str) else list(value)


def test_corpus_is_large_and_covers_the_four_families():
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids)), "identifiants de cas en double"
    assert len(CASES) >= 40
    per_family = Counter(c["famille"] for c in CASES)
    for family in FAMILIES:
        assert per_family[family] >= 6, (family, per_family)
    for case in CASES:
        assert case["attendu"] in (0, 2), case["id"]
        for rel in case.get("fichiers", []) + ([case["config"]] if "config" in case else []):
            assert (CORPUS / rel).exists(), f"{case['id']} : {rel} absent du corpus"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input_case(case: dict, tmp_path: Path):
    territory = build_case(case, tmp_path / "territoire")
    config = territory / "observatoire.toml"
    args = ["valider", "--config", str(config)]
    if case["attendu"] == 0:
        # données utilisables : on vérifie l'avertissement sans écrire de cache
        args.append("--sans-cache")
    before = snapshot(tmp_path)
    result = run_cli(*args, cwd=tmp_path)
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output
    assert result.returncode == case["attendu"], output
    shown = result.stderr if case["attendu"] == 2 else result.stdout
    for fragment in _fragments(case):
        assert fragment in shown, f"« {fragment} » absent de :\n{output}"
    if case["attendu"] == 2:
        assert shown.startswith("Erreur"), output
        assert "Validation réussie" not in result.stdout
    else:
        assert "Validation réussie" in result.stdout
        assert "Avertissements (" in result.stdout
    assert snapshot(tmp_path) == before, "la commande a écrit des fichiers"
