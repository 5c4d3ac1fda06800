"""Rapports sur des fichiers partiels, comme ceux qu'un observatoire a vraiment.

Le territoire ``tests/fixtures/rapports_partiels`` (données fictives, voir
``fabriquer.py``) reproduit un essai sur un vrai jeu régional : géographie 2015, des
quartiers minuscules dispersés sur une région, des noms de communes sans codes (dont
un quartier sur deux communes, « Séméac, Tarbes », et un nom introuvable), des codes
de département sans noms, aucune valeur de territoire de référence, un secret
statistique. Trois configurations : un seul millésime (2019), deux (2017 et 2019), et
deux millésimes avec la France pour seule référence (``references_france.toml``).

Chaque tableau de bord est produit par la vraie commande ``observatoire rapports``
(papermill, HTML, PDF) puis lu comme un lecteur le lirait : le texte de la page et
celui du PDF.
"""

from __future__ import annotations

import base64
import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "rapports_partiels"
CODES = ["QP065901", "QP065902", "QP032901", "QP031901", "QP031902"]
BICOMMUNAL = "QP065901"
SECRET = "QP031901"  # taux de pauvreté 2019 sous secret statistique
OBSERVATOIRE = Path(sys.executable).with_name("observatoire")


def _page_text(path: Path) -> str:
    """Le texte visible d'une page HTML (sans scripts ni styles ; le texte des figures SVG compris)."""
    raw = path.read_text(encoding="utf-8")
    raw = re.sub(r"<(script|style)\b.*?</\1>", " ", raw, flags=re.S | re.I)
    text = html.unescape(re.sub(r"<[^>]+>", " ", raw))
    return re.sub(r"\s+", " ", text)


def _pdf_text(path: Path) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext absent : `make test` installe poppler-utils (voir .ci/run)")
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    )
    return re.sub(r"\s+", " ", out.stdout)


def _produce(config: str, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    src = tmp_path_factory.mktemp(config)
    for path in FIXTURE.iterdir():
        if path.is_file():
            shutil.copy(path, src / path.name)
    out = src / "reports"
    done = subprocess.run(
        [str(OBSERVATOIRE), "rapports", "--config", str(src / f"{config}.toml"), "--tous"]
        + ["--format", "html,pdf", "--sortie", str(out), "--jobs", "1"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return out, done


@pytest.fixture(scope="module")
def un_millesime(tmp_path_factory) -> Path:
    return _produce("un_millesime", tmp_path_factory)[0]


@pytest.fixture(scope="module")
def deux_millesimes(tmp_path_factory) -> Path:
    return _produce("deux_millesimes", tmp_path_factory)[0]


@pytest.fixture(scope="module")
def references_france(tmp_path_factory) -> Path:
    return _produce("references_france", tmp_path_factory)[0]


def _texts(out: Path, code: str) -> dict[str, str]:
    base = out / "quartiers" / code
    return {
        "HTML": _page_text(base.with_suffix(".html")),
        "PDF": _pdf_text(base.with_suffix(".pdf")),
    }


def _no_python_leftovers(where: str, text: str) -> None:
    for word in ("None", "nan", "NaN", "NaT", "<NA>"):
        found = re.search(rf"(?<![\w<]){re.escape(word)}(?![\w>])", text)
        assert found is None, (
            f"{where} : « {word} » dans « {text[max(0, found.start() - 80) : found.end() + 80]} »"
        )
    assert "()" not in text, f"{where} : parenthèses vides"
    assert "[]" not in text and "{}" not in text, f"{where} : repr Python"


@pytest.mark.parametrize("code", CODES)
def test_aucun_none_nan_nat_dans_les_tableaux_de_bord(
    un_millesime, deux_millesimes, references_france, code
):
    outs = (("un millésime", un_millesime), ("deux millésimes", deux_millesimes),
            ("France seule", references_france))  # fmt: skip
    for label, out in outs:
        for kind, text in _texts(out, code).items():
            _no_python_leftovers(f"{code} ({label}, {kind})", text)
    for _label, out in outs:
        _no_python_leftovers("index", _page_text(out / "index.html"))


def test_un_seul_millesime_dit_que_l_evolution_n_est_pas_mesurable(un_millesime):
    for kind, text in _texts(un_millesime, BICOMMUNAL).items():
        assert "Un seul millésime disponible (2019) : l'évolution n'est pas mesurable" in text, kind
        assert "(2019) à " not in text, kind  # pas de « de 43,5 % (2019) à 43,5 % (2019) »
        assert "0,0 pts" not in text, kind
    raw = (un_millesime / "quartiers" / f"{BICOMMUNAL}.html").read_text(encoding="utf-8")
    evolution = raw.split('id="evolution"', 1)[-1].split("<h2", 1)[0]
    assert "<svg" not in evolution and "<img" not in evolution, "aucun graphique d'évolution"


def test_deux_millesimes_non_consecutifs_donnent_une_evolution(deux_millesimes):
    for kind, text in _texts(deux_millesimes, BICOMMUNAL).items():
        assert "de 41,0 % (2017) à 43,5 % (2019), soit +2,5 pts" in text, kind
        assert "Un seul millésime disponible" not in text, kind


@pytest.mark.parametrize("config", ["un_millesime", "deux_millesimes"])
def test_sans_references_le_rapport_le_dit_une_fois_et_donne_le_rang(config, request):
    out = request.getfixturevalue(config)
    for kind, text in _texts(out, BICOMMUNAL).items():
        assert text.count("Aucune valeur de territoire de référence n'a été fournie") == 1, kind
        # jamais une colonne vide de références
        assert "donnée non disponible donnée non disponible" not in text, kind
        # 43,5 % : le taux de pauvreté le plus élevé des 4 quartiers qui ont une valeur
        assert re.search(r"1er sur 4 pour le taux de pauvreté", text), kind
        # agrégat pondéré par la population, sans le quartier sous secret (1 210 habitants)
        assert "34,3 %" in text, kind
        assert "1\u00a0210 habitants" in text or "1 210 habitants" in text, kind
    # le rang est aussi donné au quartier le moins pauvre, et au quartier sous secret
    canal = _texts(out, "QP031902")["HTML"]
    assert re.search(r"4e sur 4 pour le taux de pauvreté", canal)


def test_noms_de_communes_sans_codes_et_departements_sans_noms(deux_millesimes):
    text = _texts(deux_millesimes, BICOMMUNAL)["HTML"]
    assert "Séméac" in text and "Tarbes" in text, "les deux communes du quartier"
    assert "Hautes-Pyrénées" in text, "nom du département tiré du Code officiel géographique"
    assert "Haute-Garonne" in _texts(deux_millesimes, "QP031901")["HTML"]


def test_un_nom_de_commune_introuvable_est_signale(tmp_path_factory):
    src = tmp_path_factory.mktemp("valider")
    for path in FIXTURE.iterdir():
        if path.is_file():
            shutil.copy(path, src / path.name)
    done = subprocess.run(
        [str(OBSERVATOIRE), "valider", "--config", str(src / "deux_millesimes.toml")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    warning = [line for line in done.stdout.splitlines() if "Valbrume-sur-Mer" in line]
    assert warning, done.stdout
    assert "liste_qp2015.csv" in warning[0] and "ligne 6" in warning[0], warning[0]


def _section(out: Path, code: str, ident: str) -> str:
    """Le HTML brut d'une section (de son titre au titre suivant)."""
    raw = (out / "quartiers" / f"{code}.html").read_text(encoding="utf-8")
    return raw.split(f'id="{ident}"', 1)[-1].split("<h2", 1)[0]


def test_l_axe_des_millesimes_ne_depasse_pas_les_donnees(deux_millesimes, references_france):
    for out in (deux_millesimes, references_france):
        images = re.findall(
            r'src="data:image/svg\+xml;base64,([^"]+)"', _section(out, BICOMMUNAL, "evolution")
        )
        assert len(images) == 1, "un graphique d'évolution"
        svg = base64.b64decode(images[0]).decode("utf-8")
        years = set(re.findall(r"\b(?:19|20)\d\d\b", _page_text_of(svg)))
        assert years == {"2017", "2019"}, years  # ni 1925 ni 2125, pas de millésime inventé


def _page_text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", fragment))


def test_le_quartier_sous_secret_le_dit(un_millesime, deux_millesimes):
    for out in (un_millesime, deux_millesimes):
        texts = _texts(out, SECRET)
        assert "non classé (secret statistique)" in texts["HTML"]  # cellule du tableau des rangs
        for kind, text in texts.items():
            assert (
                "Non classé pour le taux de pauvreté (2019) : valeur sous secret statistique"
                in text
            ), kind
    for kind, text in _texts(deux_millesimes, SECRET).items():
        assert (
            "Valeur de 2019 sous secret statistique pour le taux de pauvreté (dernière valeur "
            "publiée : 38,8 % en 2017) : l'évolution n'est pas mesurable" in text
        ), kind


def test_une_seule_reference_fournie_les_colonnes_vides_disparaissent(references_france):
    for kind, text in _texts(references_france, BICOMMUNAL).items():
        assert "Aucune valeur de territoire de référence n'a été fournie" not in text, kind
        assert "43,5 % 14,9 % (+28,6 pts)" in text.replace("\u00a0", " "), kind
        assert (
            "Aucune valeur n'a été fournie pour ces territoires de référence du quartier : Commune et Département"
            in text
        ), kind
        assert "donnée non disponible donnée non disponible" not in text, kind
        assert re.search(r"1er sur 4 pour le taux de pauvreté", text), kind  # toujours le rang
    ecarts = _section(references_france, BICOMMUNAL, "ecarts-aux-territoires-de-reference")
    header = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', ecarts)
    assert header == ["Indicateur", "Quartier", "France"], header
    evolution = _section(references_france, BICOMMUNAL, "evolution")
    [image] = re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', evolution)
    chart = _page_text_of(base64.b64decode(image).decode("utf-8"))
    assert "France" in chart and "Séméac" not in chart  # la commune sans valeur n'est pas légendée
