"""Sections indicateurs du tableau de bord face à des données partielles (sans notebook).

Territoire ``tests/fixtures/rapports_partiels`` (fictif, 5 quartiers, un secret
statistique) : un millésime, deux millésimes, sans aucune référence ou avec la France
seule ; la démo pour le cas complet. Les sections sont appelées comme le notebook les
appelle ; les graphiques sont lus sur leurs axes et leur légende.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from test_rapports_partiels import BICOMMUNAL, FIXTURE

import observatoire
from observatoire.publish import narrative
from observatoire.publish.sections import quartier as tableau
from observatoire.views.charts import alt_text, evolution_chart, gap_chart

SECRET = "QP031901"  # taux de pauvreté 2019 sous secret statistique
EMPTY = "QP065903"  # quartier listé sans aucune valeur (variante « sans_donnees »)


@pytest.fixture(scope="module")
def partiel(tmp_path_factory):
    """Ouvre une configuration du territoire partiel (copiée : le cache n'y est pas écrit)."""
    src = tmp_path_factory.mktemp("partiel")
    for path in FIXTURE.iterdir():
        if path.is_file():
            shutil.copy(path, src / path.name)
    # variante : 2018 et 2019, millésimes consécutifs (valeurs de 2017 reprises pour 2018)
    text = (src / "indicateurs_qp2015_2017.csv").read_text(encoding="utf-8")
    (src / "indicateurs_qp2015_2018.csv").write_text(text.replace("2017", "2018"), "utf-8")
    config = (src / "deux_millesimes.toml").read_text(encoding="utf-8")
    (src / "consecutifs.toml").write_text(config.replace("2017", "2018"), encoding="utf-8")
    # variante (dossier à part) : un sixième quartier listé, sans aucune valeur
    empty = tmp_path_factory.mktemp("partiel_vide")
    for path in src.iterdir():
        shutil.copy(path, empty / path.name)
    with (empty / "liste_qp2015.csv").open("a", encoding="utf-8") as f:
        f.write(f'{EMPTY};Quartier fictif sans données;65;"Tarbes"\n')
    opened = {}

    def open_(name: str):
        """``sans_donnees`` : ``deux_millesimes`` avec le sixième quartier sans valeur."""
        if name not in opened:
            folder, config = (empty, "deux_millesimes") if name == "sans_donnees" else (src, name)
            opened[name] = observatoire.open(folder / f"{config}.toml")
        return opened[name]

    return open_


def _data(blocks) -> list[dict]:
    return [b.data for b in blocks if b is not None]


def _text(blocks) -> str:
    parts = []
    for d in _data(blocks):
        parts += d.get("paragraphes", []) + [d.get("message", ""), d.get("alt", "")]
        parts += [" ".join(row) for row in d.get("lignes", [])] + d.get("colonnes", [])
    return " ".join(p for p in parts if p)


def _tables(blocks) -> list[dict]:
    return [d for d in _data(blocks) if d["type"] == "tableau"]


def _no_empty_column(table: dict) -> None:
    for i, name in enumerate(table["colonnes"]):
        cells = {row[i] for row in table["lignes"]}
        assert cells - {"donnée non disponible", "n.d."}, f"colonne vide : {name}"


# ------------------------------------------------------------------ phrases


def test_ordinaux_et_articles():
    assert [narrative.ordinal(n) for n in (1, 2, 105)] == ["1er", "2e", "105e"]
    assert (
        narrative.rank_phrase(1, 105, "Taux de pauvreté") == "1er sur 105 pour le taux de pauvreté"
    )
    assert narrative.rank_phrase(3, 12, "Part des femmes", True) == (
        "3e ex aequo sur 12 pour la part des femmes"
    )
    assert narrative.with_article("Indice de jeunesse") == "l'indice de jeunesse"
    assert narrative.with_article("Allocataires de la Caf") == "les allocataires de la Caf"
    assert narrative.with_article("RSA versé") == "le RSA versé"  # sigle : pas de minuscule


def test_phrase_d_exclusion_dit_la_population_laissee_de_cote():
    row = pd.Series({"exclus_secret": 1, "exclus_absent": 2, "exclus_sans_poids": 0,
                     "population_exclue": 1210.0, "part_population_exclue": 10.41})  # fmt: skip
    text = narrative.exclusion_phrase(row)
    assert text.startswith("1 quartier sous secret statistique et 2 quartiers sans donnée exclus")
    assert "1\u00a0210 habitants (10,4\u00a0% de la population des quartiers)" in text
    nothing = row.copy()
    nothing[["exclus_secret", "exclus_absent"]] = 0
    assert narrative.exclusion_phrase(nothing) == ""


# ------------------------------------------------------------------ graphiques


def test_courbe_d_un_seul_millesime_axe_borne_aux_donnees():
    lines = pd.DataFrame({"territoire": ["Les Tilleuls", "Commune", "Commune"],
                          "annee": [2019, 2017, 2019], "valeur": [43.5, None, None],
                          "statut": ["ok", "absent", "absent"]})  # fmt: skip
    fig = evolution_chart(lines, titre="Taux de pauvreté", unite="%", source="INSEE")
    ax = fig.axes[0]
    low, high = ax.get_xlim()
    assert 2018 <= low < 2019 < high <= 2020.5  # pas de 1925–2125
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2019"]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["Les Tilleuls"]  # la commune sans point n'est pas légendée
    assert "Aucune valeur publiée pour : Commune." in alt_text(fig)


def test_courbes_sans_aucun_point_ni_legende_vide():
    lines = pd.DataFrame({"territoire": ["A"], "annee": [2019], "valeur": [None],
                          "statut": ["secret"]})  # fmt: skip
    fig = evolution_chart(lines, titre="Taux", unite="%")
    assert fig.axes[0].get_legend() is None


def test_barres_d_ecart_sans_reference_vide():
    rows = pd.DataFrame({"territoire": ["Les Tilleuls", "Commune", "Département", "France"],
                         "valeur": [43.5, None, None, 14.9],
                         "statut": ["ok", "absent", "secret", "ok"]})  # fmt: skip
    fig = gap_chart(rows, titre="Taux de pauvreté", unite="%", annee=2019)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert labels == ["Les Tilleuls", "Département", "France"]  # le secret reste, en lettres
    assert "Aucune valeur fournie pour : Commune." in alt_text(fig)


# ------------------------------------------------------------------ API


def test_position_rang_mediane_agregat_sans_reference(partiel):
    obs = partiel("un_millesime")
    p = obs.indicateurs.position(BICOMMUNAL, 2019).set_index("indicateur")
    tp = p.loc["taux_pauvrete"]
    assert (tp["rang"], tp["n_classes"], tp["n_quartiers"]) == (1, 4, 5)
    assert tp["mediane"] == pytest.approx((30.1 + 36.0) / 2)
    # moyenne pondérée par la population, le quartier sous secret exclu et compté
    expected = (43.5 * 3120 + 36.0 * 2480 + 30.1 * 1850 + 25.9 * 2960) / (3120 + 2480 + 1850 + 2960)
    assert tp["agregat"] == pytest.approx(expected)
    assert (tp["exclus_secret"], tp["population_exclue"]) == (1, 1210)
    secret = obs.indicateurs.position(SECRET, 2019).set_index("indicateur").loc["taux_pauvrete"]
    assert secret["statut"] == "secret" and pd.isna(secret["rang"])


# ------------------------------------------------------------------ sections


def test_un_millesime_evolution_en_une_phrase_sans_graphique(partiel):
    obs = partiel("un_millesime")
    for code in (BICOMMUNAL, SECRET):
        blocks = tableau.evolution(obs, tableau.contexte(obs, code, None))
        assert [d["type"] for d in _data(blocks)] == ["texte"]
        assert "Un seul millésime disponible (2019) : l'évolution n'est pas mesurable" in _text(
            blocks
        )
        assert "(2019) à" not in _text(blocks)


def test_deux_millesimes_le_quartier_sous_secret_le_dit(partiel):
    obs = partiel("deux_millesimes")
    q = tableau.contexte(obs, SECRET, None)
    text = _text(tableau.evolution(obs, q))
    assert (
        "Valeur de 2019 sous secret statistique pour le taux de pauvreté (dernière valeur "
        "publiée : 38,8\u00a0% en 2017) : l'évolution n'est pas mesurable."
    ) in text
    position = tableau.position(obs, q)
    assert "Non classé pour le taux de pauvreté (2019) : valeur sous secret statistique" in _text(
        position
    )
    assert "non classé (secret statistique)" in _text(position)


def test_sans_reference_une_phrase_et_la_position(partiel):
    obs = partiel("deux_millesimes")
    q = tableau.contexte(obs, BICOMMUNAL, None)
    ecarts = tableau.ecarts(obs, q)
    assert [d["type"] for d in _data(ecarts)] == ["absent"]
    assert _text(ecarts).startswith("Aucune valeur de territoire de référence n'a été fournie")
    position = tableau.position(obs, q)
    assert "1er sur 4 pour le taux de pauvreté (2019)" in _text(position)
    [table] = _tables(position)
    assert table["colonnes"] == ["Indicateur", "Quartier", "Rang parmi les quartiers",
                                 "Médiane des quartiers", "Ensemble des quartiers"]  # fmt: skip
    _no_empty_column(table)
    assert "1\u00a0210 habitants" in _text(position)
    # sans référence, la distribution des quartiers est la figure de la position
    assert any(d["type"] == "figure" for d in _data(position))


def test_reference_partielle_colonnes_vides_omises(partiel):
    obs = partiel("references_france")
    q = tableau.contexte(obs, BICOMMUNAL, None)
    ecarts = tableau.ecarts(obs, q)
    [table] = _tables(ecarts)
    assert table["colonnes"] == ["Indicateur", "Quartier", "France"]
    assert table["lignes"] == [
        ["Taux de pauvreté (2019)", "43,5\u00a0%", "14,9\u00a0% (+28,6\u00a0pts)"]
    ]
    text = _text(ecarts)
    assert "Aucune valeur n'a été fournie pour ces territoires de référence du quartier" in text
    assert "Aucune valeur de territoire de référence n'a été fournie" not in text
    # la position reste, sans doubler la distribution (déjà dans les écarts)
    position = tableau.position(obs, q)
    assert "1er sur 4 pour le taux de pauvreté" in _text(position)
    assert not any(d["type"] == "figure" for d in _data(position))
    evolution = _data(tableau.evolution(obs, q))
    [figure] = [d for d in evolution if d["type"] == "figure"]
    assert "France (2017 : 14,5\u00a0%, 2019 : 14,9\u00a0%)" in figure["alt"]
    assert "Séméac et Tarbes" not in figure["alt"]  # commune sans valeur : ni courbe ni légende
    # le quartier sous secret en 2019 : barres de sa dernière valeur publiée (2017), jamais
    # une barre « secret statistique » à côté de la France
    q_secret = tableau.contexte(obs, SECRET, None)
    figures = [d for d in _data(tableau.ecarts(obs, q_secret)) if d["type"] == "figure"]
    bars = [d for d in figures if d["alt"].startswith("Diagramme en barres horizontales")]
    assert len(bars) == 1 and "(2017)" in bars[0]["alt"]
    assert "Cèdres : secret statistique" not in bars[0]["alt"]


def test_demo_complete_position_et_colonnes_pleines(obs_demo):
    code = obs_demo.quartiers["code"].iloc[0]
    q = tableau.contexte(obs_demo, code, None)
    position = tableau.position(obs_demo, q)
    assert "sur 14 pour le taux de pauvreté" in _text(position)
    [table] = _tables(position)
    assert {r[0].rsplit(" (", 1)[0] for r in table["lignes"]} >= {"Taux de pauvreté"}
    ecarts = tableau.ecarts(obs_demo, q)
    for t in _tables(ecarts):
        _no_empty_column(t)
    assert "Aucune valeur" not in _text(ecarts)
    evolution = _data(tableau.evolution(obs_demo, q))
    assert any(d["type"] == "figure" for d in evolution)
    assert "Un seul millésime" not in _text(tableau.evolution(obs_demo, q))


def test_millesimes_consecutifs_pas_d_evolution_mesuree(partiel):
    obs = partiel("consecutifs")
    blocks = tableau.evolution(obs, tableau.contexte(obs, BICOMMUNAL, None))
    assert [d["type"] for d in _data(blocks)] == ["texte"]  # ni graphique ni « soit +2,5 pts »
    assert _text(blocks) == (
        "Millésimes consécutifs seulement (2018 et 2019) pour le taux de pauvreté : l'INSEE "
        "déconseille d'en mesurer l'évolution à l'échelle d'un quartier."
    )


def test_quartier_sans_aucune_valeur_une_phrase_par_section(partiel):
    obs = partiel("sans_donnees")
    q = tableau.contexte(obs, EMPTY, None)
    assert q.millesime is None
    for section, expected in (
        (tableau.position, "Aucun indicateur n'est disponible pour situer ce quartier"),
        (tableau.ecarts, "Aucune valeur de territoire de référence n'a été fournie"),
        (tableau.evolution, "Aucun indicateur suivi pour l'évolution"),
    ):
        blocks = section(obs, q)
        assert [d["type"] for d in _data(blocks)] == ["absent"]
        assert _text(blocks).startswith(expected)
    # les autres quartiers : l'ensemble laisse de côté un quartier de population inconnue
    other = tableau.position(obs, tableau.contexte(obs, BICOMMUNAL, None))
    text = _text(other)
    assert "parmi les 6 quartiers du territoire" in text
    assert "soit au moins 1\u00a0210 habitants" in text
    assert "population inconnue pour 1 quartier exclu" in text
