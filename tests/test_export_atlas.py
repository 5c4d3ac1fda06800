"""``observatoire exporter atlas`` : la vraie commande sur la démo, la page ouverte hors ligne.

Dans Chromium headless, réseau coupé (``tests/browser.py``) : changer d'indicateur par
script recolore un ``path`` par quartier (couleurs des classes des cartes des rapports),
reclasse le tableau (rangs de ``obs.indicateurs.rangs``), un quartier secret se lit
« secret statistique », un clic ou Entrée ouvre le vrai tableau de bord, un nom hostile
reste du texte, aucune requête ne part ; la relance sans changement ne réécrit rien.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from browser import chromium, open_offline  # noqa: F401  (fixture pytest)
from fiabilite_outils import HOSTILE, MARKER, make_hostile_territory, run_cli, snapshot

REMOTE = re.compile(
    r"""<(script|link|img|iframe|source)\b[^>]*\b(src|href)\s*=\s*["']?(https?:)?//""", re.I
)
WITH_REPORT = "QN00001A"
PATHS = """() => [...document.querySelectorAll('path.obs-quartier')].map(p => ({
    code: p.getAttribute('data-code'), fill: p.getAttribute('fill'),
    box: Math.max(p.getBoundingClientRect().width, p.getBoundingClientRect().height)}))"""
ROWS = """() => [...document.querySelectorAll('#tableau tbody tr')].map(tr => ({
    code: tr.getAttribute('data-code'), cells: [...tr.children].map(c => c.textContent),
    href: (tr.querySelector('a') || {getAttribute: () => null}).getAttribute('href')}))"""


def _atlas(config: Path, out: Path, *extra: str):
    return run_cli("exporter", "atlas", "--config", str(config), "--sortie", str(out), *extra)


@pytest.fixture(scope="module")
def demo_atlas(tmp_path_factory, demo_config):
    """Un vrai tableau de bord (QN00001A) puis l'atlas de la démo qui le lie."""
    base = tmp_path_factory.mktemp("atlas")
    reports = base / "rapports"
    made = run_cli(
        "rapports", "--config", str(demo_config), "--quartier", WITH_REPORT,
        "--format", "html", "--sortie", str(reports),
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    out = base / "exports"
    result = _atlas(demo_config, out, "--rapports", str(reports))
    assert result.returncode == 0, result.stderr
    return out / "atlas.html", reports, result


@pytest.fixture(scope="module")
def obs(obs_demo):
    return obs_demo


def _expected_fills(obs, indicateur: str, annee: int) -> dict[str, str]:
    """Couleur attendue de chaque quartier : classes des cartes des rapports (même API)."""
    _lib, _unite, _an, data, cls, _c = obs.indicateurs._map_inputs(indicateur, annee, 5, "jenks")
    return {
        r.code: cls.color_of(r.valeur) if r.statut == "ok" else "url(#obs-hachures)"
        for r in data.itertuples()
    }


def test_cli_writes_one_self_contained_page(demo_atlas):
    page, _reports, result = demo_atlas
    assert page.is_file()
    assert "Atlas écrit" in result.stdout and "Données fictives" in result.stdout
    source = page.read_text(encoding="utf-8")
    assert not REMOTE.search(source), REMOTE.search(source).group(0)
    assert source.startswith('<!DOCTYPE html>\n<html lang="fr">')
    for bad in ("None", "NaN", "nan,", "undefined"):
        assert bad not in source.split('id="donnees-atlas"')[1].split("</script>")[0], bad
    assert "Données fictives" in source


def test_switching_indicator_recolours_every_quartier(demo_atlas, obs, chromium):  # noqa: F811
    page, _reports, _ = demo_atlas
    codes = obs.indicateurs.codes
    with open_offline(chromium, page, wait_ms=500) as opened:
        p = opened.page
        assert p.locator('label[for="indicateur"]').count() == 1
        assert p.locator('label[for="millesime"]').count() == 1
        assert p.title().startswith("Atlas des quartiers")
        # part_15_24 : des quartiers ex æquo dans la démo
        for indicateur in ("taux_chomage", "revenu_median_uc", "part_15_24"):
            p.select_option("#indicateur", indicateur)
            annee = int(p.locator("#millesime").input_value())
            p.wait_for_timeout(100)
            drawn = p.evaluate(PATHS)
            coloured = [d for d in drawn if d["fill"] and d["fill"] != "none"]
            assert len(coloured) == len(codes) == len(drawn)
            assert {d["code"] for d in drawn} == set(codes)
            expected = _expected_fills(obs, indicateur, annee)
            assert {d["code"]: d["fill"] for d in drawn} == expected
            assert min(d["box"] for d in drawn) > 5, "quartier réduit à un point"
            rows = p.evaluate(ROWS)
            assert len(rows) == len(codes)
            r = obs.indicateurs.rangs(indicateurs=[indicateur], annee=annee)
            ranked = r.dropna(subset=["rang"]).sort_values(["rang"])
            assert rows[0]["code"] == ranked["code"].iloc[0]
            ranks = [
                int(row["cells"][0].split()[0]) for row in rows if row["cells"][0][0].isdigit()
            ]
            assert ranks == sorted(ranks) and len(ranks) == len(ranked)
            expected_rank = dict(zip(ranked["code"], ranked["rang"], strict=True))
            ties = set(ranked.loc[ranked["ex_aequo"], "code"])
            for row in rows:
                if row["code"] in expected_rank:
                    wanted = str(expected_rank[row["code"]])
                    wanted += " (ex æquo)" if row["code"] in ties else ""
                    assert row["cells"][0] == wanted, row
                else:
                    assert row["cells"][0] == "non classé", row
            text = p.locator("#description-carte").text_content()
            assert f"Carte de {len(codes)}\u00a0quartiers" in text
            assert str(annee) in p.locator("#titre-carte").text_content()
        heads = p.locator("#tableau thead th[scope=col]").all_text_contents()
        assert heads == ["Rang", "Quartier", "Code", "Valeur", "Classe de la carte"]
        assert opened.problems == [], opened.problems


ALL_CHOICES = """() => {
    const ind = document.getElementById('indicateur'), year = document.getElementById('millesime');
    const bad = [], seen = [];
    for (const option of [...ind.options]) {
        ind.value = option.value; ind.dispatchEvent(new Event('change'));
        for (const y of [...year.options]) {
            year.value = y.value; year.dispatchEvent(new Event('change'));
            const text = document.body.innerText;
            for (const word of ['undefined', 'NaN', 'None', 'null', '[object']) {
                if (text.includes(word)) { bad.push(option.value + ' ' + y.value + ' : ' + word); }
            }
            seen.push(option.value + '/' + y.value);
        }
    }
    return {bad, seen};
}"""


def test_every_indicator_and_year_renders_clean_text(demo_atlas, obs, chromium):  # noqa: F811
    page, _reports, _ = demo_atlas
    with open_offline(chromium, page, wait_ms=300) as opened:
        result = opened.page.evaluate(ALL_CHOICES)
        assert opened.problems == [], opened.problems
    assert result["bad"] == []
    expected = {f"{i}/{y}" for i, years in obs.indicateurs._years.items() for y in years}
    assert set(result["seen"]) == expected


def test_secret_quartier_is_written_secret_and_hatched(demo_atlas, obs, chromium):  # noqa: F811
    page, _reports, _ = demo_atlas
    v = obs.valeurs
    secret = v[
        (v["statut"] == "secret") & (v["niveau"] == "qpv") & v["code"].isin(obs.indicateurs.codes)
    ]
    row = secret.iloc[0]
    with open_offline(chromium, page, wait_ms=400) as opened:
        p = opened.page
        p.select_option("#indicateur", row["indicateur"])
        p.select_option("#millesime", str(row["annee"]))
        p.wait_for_timeout(100)
        line = next(r for r in p.evaluate(ROWS) if r["code"] == row["code"])
        fill = p.locator(f'path.obs-quartier[data-code="{row["code"]}"]').get_attribute("fill")
        legend = p.locator("#classes").text_content()
        assert opened.problems == [], opened.problems
    assert line["cells"][3] == "secret statistique"
    assert line["cells"][0] == "non classé"
    assert "hachures" in line["cells"][4]
    assert fill == "url(#obs-hachures)"
    assert "donnée non disponible" in legend and "secret statistique" in legend


def test_click_and_enter_open_the_dashboard(demo_atlas, obs, chromium):  # noqa: F811
    page, reports, _ = demo_atlas
    with open_offline(chromium, page, wait_ms=400) as opened:
        p = opened.page
        rows = p.evaluate(ROWS)
        linked = {r["code"]: r["href"] for r in rows if r["href"]}
        assert list(linked) == [WITH_REPORT]
        assert (page.parent / linked[WITH_REPORT]).resolve() == (
            reports / "quartiers" / f"{WITH_REPORT}.html"
        ).resolve()
        other = next(c for c in obs.indicateurs.codes if c != WITH_REPORT)
        # Entrée sur un quartier sans tableau de bord : annoncé, pas de navigation
        p.focus(f'path.obs-quartier[data-code="{other}"]')
        p.keyboard.press("Enter")
        assert "n'a pas été produit" in p.locator("#annonce").text_content()
        # flèche : le focus passe au quartier suivant du tableau
        first = rows[0]["code"]
        p.focus(f'path.obs-quartier[data-code="{first}"]')
        p.keyboard.press("ArrowDown")
        assert p.evaluate("document.activeElement.getAttribute('data-code')") == rows[1]["code"]
        # Entrée sur le quartier qui a son tableau de bord : il s'ouvre
        p.focus(f'path.obs-quartier[data-code="{WITH_REPORT}"]')
        with p.expect_navigation():
            p.keyboard.press("Enter")
        assert p.url.endswith(f"quartiers/{WITH_REPORT}.html")
        p.go_back()
        p.wait_for_timeout(300)
        # clic sur le contour
        with p.expect_navigation():
            p.locator(f'path.obs-quartier[data-code="{WITH_REPORT}"]').click()
        assert p.url.endswith(f"quartiers/{WITH_REPORT}.html")
        assert opened.blocked == [] and opened.page_errors == []


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    return make_hostile_territory(tmp_path_factory.mktemp("hostile") / "territoire")


def test_hostile_names_stay_inert(hostile, tmp_path, chromium):  # noqa: F811
    out = tmp_path / "exports"
    result = _atlas(hostile, out)
    assert result.returncode == 0, result.stderr
    page = out / "atlas.html"
    source = page.read_text(encoding="utf-8")
    assert "<script>alert(" not in source and "<img src=x" not in source
    with open_offline(chromium, page, wait_ms=500) as opened:
        p = opened.page
        names = p.locator("#tableau tbody th").all_text_contents()
        images = p.evaluate("document.querySelectorAll('img:not(.leaflet-tile)').length")
        title = p.title()
        p.locator('path.obs-quartier[data-code="QN00001A"]').hover()
        p.wait_for_timeout(100)
        tip = p.locator(".leaflet-tooltip").text_content()
        no_reports = p.locator("#sans-tableaux").is_visible()
        per_row = p.locator("#tableau .sans-lien").count()
        assert opened.problems == [], opened.problems
    assert any(HOSTILE["QN00001A"] in n for n in names), names
    assert any(HOSTILE["QN00002A"] in n for n in names), names
    assert HOSTILE["QN00001A"] in tip
    assert images == 0
    assert no_reports and per_row == 0  # aucun tableau de bord : dit une fois, au-dessus
    assert MARKER in title  # le nom hostile du territoire, affiché comme texte


def test_rerun_is_incremental(hostile, tmp_path):
    out = tmp_path / "exports"
    first = _atlas(hostile, out)
    assert first.returncode == 0, first.stderr
    page = out / "atlas.html"
    before = page.stat().st_mtime_ns
    again = _atlas(hostile, out)
    assert again.returncode == 0 and "à jour" in again.stdout
    assert page.stat().st_mtime_ns == before
    manifest = json.loads((out / ".empreintes.json").read_text(encoding="utf-8"))
    assert any(k.startswith("atlas ") for k in manifest["exports"])
    # un tableau de bord apparaît dans le dossier des rapports : l'atlas est refait et le lie
    reports = hostile.parent / "reports" / "quartiers"
    reports.mkdir(parents=True, exist_ok=True)
    (reports / "QN00002A.html").write_text("<!DOCTYPE html><title>t</title>", encoding="utf-8")
    linked = _atlas(hostile, out)
    assert linked.returncode == 0 and "Atlas écrit" in linked.stdout
    data = _payload(page)
    link = next(q["lien"] for q in data["quartiers"] if q["code"] == "QN00002A")
    assert (out / link).resolve() == (reports / "QN00002A.html").resolve()
    # données changées : refait
    config = hostile.read_text(encoding="utf-8")
    hostile.write_text(config.replace("seuil_petits_effectifs = 5", "seuil_petits_effectifs = 6"),
                       encoding="utf-8")  # fmt: skip
    try:
        changed = _atlas(hostile, out)
    finally:
        hostile.write_text(config, encoding="utf-8")
    assert changed.returncode == 0 and "Atlas écrit" in changed.stdout


def _payload(page: Path) -> dict:
    text = page.read_text(encoding="utf-8")
    raw = text.split('<script type="application/json" id="donnees-atlas">', 1)[1]
    return json.loads(raw.split("</script>", 1)[0])


def test_bad_option_is_refused_in_french_and_writes_nothing(demo_config, tmp_path):
    out = tmp_path / "exports"
    before = snapshot(tmp_path)
    result = _atlas(demo_config, out, "--classes", "12")
    assert result.returncode == 2
    assert "--classes doit être compris entre 2 et 9" in result.stderr
    assert "12" in result.stderr and "Traceback" not in result.stderr
    assert snapshot(tmp_path) == before


def test_payload_is_compact_and_coordinates_rounded(demo_atlas, obs):
    page, _reports, _ = demo_atlas
    data = _payload(page)
    assert [q["code"] for q in data["quartiers"]] == obs.indicateurs.codes
    shapes = data["geo"]["formes"]
    assert all(shapes) and all(
        isinstance(x, int) for poly in shapes[0] for ring in poly for x in ring
    )
    ids = [i["id"] for i in data["indicateurs"]]
    assert set(ids) == set(obs.indicateurs._years)
    entry = next(i for i in data["indicateurs"] if i["id"] == "taux_pauvrete")["annees"]
    assert set(entry) == {str(y) for y in obs.indicateurs._years["taux_pauvrete"]}


def test_territory_without_indicators_is_refused(hostile, tmp_path):
    """Sans source d'indicateurs, pas d'atlas vide : message français, code 2, rien d'écrit."""
    import tomllib

    from fiabilite_outils import drop_sources

    territory = tmp_path / "sans_indicateurs"
    shutil.copytree(hostile.parent, territory, ignore=shutil.ignore_patterns(".cache", "reports"))
    config = territory / "observatoire.toml"
    text = config.read_text(encoding="utf-8")
    sources = tomllib.loads(text)["sources"]
    names = [n for n, s in sources.items() if s.get("type") == "indicateurs"]
    assert names
    config.write_text(drop_sources(text, names), encoding="utf-8")
    out = tmp_path / "exports"
    result = _atlas(config, out)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Aucun indicateur n'a de valeur" in result.stderr
    assert not out.exists()


def test_territory_without_contours_keeps_its_table(hostile, tmp_path, chromium):  # noqa: F811
    """Sans contours de quartiers : la page dit que la carte est indisponible, le tableau reste."""
    import tomllib

    from fiabilite_outils import drop_sources

    territory = tmp_path / "sans_contours"
    shutil.copytree(hostile.parent, territory, ignore=shutil.ignore_patterns(".cache", "reports"))
    config = territory / "observatoire.toml"
    text = config.read_text(encoding="utf-8")
    names = [n for n, s in tomllib.loads(text)["sources"].items() if s.get("type") == "contours"]
    assert names
    config.write_text(drop_sources(text, names), encoding="utf-8")
    out = tmp_path / "exports"
    result = _atlas(config, out)
    assert result.returncode == 0, result.stderr
    with open_offline(chromium, out / "atlas.html", wait_ms=300) as opened:
        p = opened.page
        description = p.locator("#description-carte").text_content()
        hidden = p.locator("#carte").is_hidden()
        rows = p.evaluate(ROWS)
        assert opened.problems == [], opened.problems
    assert "Aucun contour de quartier" in description and hidden
    assert len(rows) == 3 and all(r["cells"][3] for r in rows)


def test_choice_is_kept_in_the_address(demo_atlas, chromium):  # noqa: F811
    page, _reports, _ = demo_atlas
    with open_offline(chromium, page, wait_ms=200) as opened:
        p = opened.page
        p.select_option("#indicateur", "taux_chomage")
        p.select_option("#millesime", "2020")
        assert p.url.endswith("#taux_chomage/2020")
        p.goto(page.resolve().as_uri() + "#part_css/2018")
        p.reload()
        p.wait_for_timeout(200)
        chosen = (p.locator("#indicateur").input_value(), p.locator("#millesime").input_value())
        title = p.locator("#titre-carte").text_content()
        assert opened.problems == [], opened.problems
    assert chosen == ("part_css", "2018")
    assert "2018" in title


ARCS = """() => [...document.querySelectorAll('path.obs-quartier')].map(
    p => /a/i.test(p.getAttribute('d') || ''))"""


def test_regional_scale_circles_then_contours_when_zooming(fixtures, tmp_path, chromium):  # noqa: F811
    """Sept quartiers minuscules sur 200 km (``tests/fixtures/partiel/region``) : un cercle
    par quartier en vue d'ensemble, leurs contours en zoomant, toujours un path par quartier."""
    region = tmp_path / "region"
    shutil.copytree(fixtures / "partiel" / "region", region)
    out = tmp_path / "exports"
    result = _atlas(region / "observatoire.toml", out)
    assert result.returncode == 0, result.stderr
    with open_offline(chromium, out / "atlas.html", wait_ms=400) as opened:
        p = opened.page
        circles = p.evaluate(ARCS)
        note = p.locator("#note-symboles").is_visible()
        description = p.locator("#description-carte").text_content()
        for _ in range(24):  # zoom avant par le bouton (demi-niveaux) jusqu'aux contours
            if not any(p.evaluate(ARCS)):
                break
            p.click(".leaflet-control-zoom-in")
            p.wait_for_timeout(120)
        polygons = p.evaluate(ARCS)
        assert opened.problems == [], opened.problems
    assert len(circles) == 7 and all(circles)
    assert note and "un cercle au centre de chaque quartier" in description
    assert len(polygons) == 7 and not any(polygons)
