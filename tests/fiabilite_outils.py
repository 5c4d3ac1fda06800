"""Outils partagés des tests de fiabilité et de sécurité (corpus, chemins, pannes…).

- :func:`run_cli` lance la VRAIE commande ``observatoire`` dans un sous-processus ;
- :func:`snapshot` photographie une arborescence (fichiers cachés et cache compris)
  pour vérifier qu'une commande en échec n'a rien écrit ;
- :func:`build_case` construit le territoire d'un cas du corpus ``tests/corpus/cas.toml``.

Exemple ::

    territory = build_case(case, tmp_path / "territoire")
    before = snapshot(tmp_path)
    result = run_cli("valider", "--config", str(territory / "observatoire.toml"))
    assert result.returncode == 2 and snapshot(tmp_path) == before
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
CORPUS = TESTS / "corpus"
BASE = CORPUS / "base"


def cli_command() -> list[str]:
    """La commande ``observatoire`` installée dans l'environnement des tests."""
    script = Path(sys.executable).parent / "observatoire"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from observatoire.cli import main; sys.exit(main())"]


def run_cli(
    *args: str, cwd: Path | None = None, timeout: float = 600, env: dict | None = None
) -> subprocess.CompletedProcess:
    """Lance ``observatoire ARGS…`` (sortie capturée en texte, sans réseau requis)."""
    full_env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **(env or {})}
    return subprocess.run(
        [*cli_command(), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=full_env,
        check=False,
    )


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Chemin relatif → (taille, mtime en ns) de tout ce qui est sous ``root``."""
    out = {}
    for p in sorted(root.rglob("*")):
        st = p.lstat()
        out[str(p.relative_to(root))] = (st.st_size if p.is_file() else -1, st.st_mtime_ns)
    return out


def load_cases() -> list[dict]:
    """Les cas du corpus : ``tests/corpus/cas.toml`` puis les ``cas_*.toml`` (un fichier par
    série de cas, par ordre alphabétique), chacun dans son ordre."""
    files = [CORPUS / "cas.toml", *sorted(CORPUS.glob("cas_*.toml"))]
    cases: list[dict] = []
    for path in files:
        cases += tomllib.loads(path.read_text(encoding="utf-8")).get("cas", [])
    return cases


def drop_sources(config_text: str, names: list[str]) -> str:
    """Retire du TOML de base les sections ``[sources.NOM]`` (et leurs sous-tables)."""
    kept: list[str] = []
    dropping = False
    for line in config_text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            header = stripped.strip("[]").strip()
            dropping = any(
                header == f"sources.{n}" or header.startswith(f"sources.{n}.") for n in names
            )
        if not dropping:
            kept.append(line)
    return "\n".join(kept) + "\n"


def copy_corpus_file(rel: str, dest: Path) -> None:
    """Copie un fichier du corpus (et les annexes d'un Shapefile) à la racine de ``dest``."""
    source = CORPUS / rel
    paths = sorted(source.parent.glob(source.stem + ".*")) if source.suffix == ".shp" else [source]
    for path in paths:
        shutil.copy(path, dest / path.name)


def build_case(case: dict, dest: Path) -> Path:
    """Territoire de base + fichier(s) du cas + configuration du cas ; renvoie ``dest``."""
    shutil.copytree(BASE, dest)
    for rel in case.get("fichiers", []):
        copy_corpus_file(rel, dest)
    config = dest / "observatoire.toml"
    if "config" in case:  # le cas fournit une configuration complète
        shutil.copy(CORPUS / case["config"], config)
        return dest
    text = drop_sources(config.read_text(encoding="utf-8"), case.get("remplace", []))
    config.write_text(text + "\n" + case.get("source", ""), encoding="utf-8")
    return dest


# ---------------------------------------------------------------------------- territoire hostile

LONG_TAIL = " très long" * 40
HOSTILE = {
    # quartiers (liste nationale + contours) : noms affichés partout
    "QN00001A": '<script>alert("xss-quartier")</script>Hauts ../../evasion',
    "QN00002A": "\"><img src=x onerror=alert('xss-img')>Cité /etc/passwd ..\\..\\x",
    "QN00003A": "[lien](javascript:alert('xss-md')) **gras** $\\frac{a}{b}$ \\textbf{x} "
    "# % & ~ _ ^ {} |" + LONG_TAIL,
    # territoire, actions, porteurs, événements
    "territoire": "Agglo <b onmouseover=alert('xss-terr')>fictive</b></title>"
    "<script>alert('xss-titre')</script> (données fictives)",
    "intitule": "<script>alert('xss-action')</script>Chantier $x$ & {y}",
    "porteur": "<a href=\"javascript:alert('xss-porteur')\">Porteur</a> \\relax",
    "evenement": "<img src=x onerror=alert('xss-evenement')>Réunion",
    "decidim": "<script>alert('xss-decidim')</script>Rencontre",
}
MARKER = "xss-"


def _read_text(path: Path) -> tuple[str, str]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError(f"{path} : encodage inattendu")


def _csv_cell(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def replace_cells(path: Path, mapping: dict[str, str], sep: str = ";") -> None:
    """Remplace des cellules entières d'un CSV (guillemets CSV ajoutés), encodage conservé."""
    text, encoding = _read_text(path)
    lines = text.split("\n")
    for i, line in enumerate(lines):
        cells = line.split(sep)
        changed = [_csv_cell(mapping[c]) if c in mapping else c for c in cells]
        lines[i] = sep.join(changed)
    out = "\n".join(lines)
    path.write_bytes(out.encode("utf-8-sig" if encoding == "utf-8-sig" else encoding))


def make_hostile_territory(dest: Path, n_quartiers: int = 3, seed: int = 2024) -> Path:
    """Démo minuscule dont les libellés sont hostiles (HTML, JS, Markdown, LaTeX, chemins)."""
    import json

    from openpyxl import load_workbook

    from observatoire.demo.generator import generate_demo

    config = generate_demo(dest, n_quartiers=n_quartiers, seed=seed)
    geo = dest / "geographie"
    liste = geo / "liste_qpv_2024.csv"
    text, _ = _read_text(liste)
    names = {}
    for line in text.splitlines()[1:]:
        cells = line.split(";")
        if cells[0] in HOSTILE:
            names[cells[1]] = HOSTILE[cells[0]]
    replace_cells(liste, names)
    contours = geo / "contours_qpv_2024.geojson"
    data = json.loads(contours.read_text(encoding="utf-8"))
    for feature in data["features"]:
        code = feature["properties"].get("code_qp")
        if code in HOSTILE:
            feature["properties"]["lib_qp"] = HOSTILE[code]
    contours.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    # actions et porteurs : première action de chaque feuille de programmation
    for workbook in sorted((dest / "contrat").glob("programmation_*.xlsx")):
        wb = load_workbook(workbook)
        for ws in wb.worksheets:
            header = None
            for row in ws.iter_rows():
                values = [c.value for c in row]
                if header is None and "Intitulé de l'action" in values:
                    header = values
                    continue
                if header is not None and row[0].value:
                    row[header.index("Intitulé de l'action")].value = HOSTILE["intitule"]
                    row[header.index("Porteur")].value = HOSTILE["porteur"]
                    break
        wb.save(workbook)
    # événements : objet de la première réunion, titre de la première rencontre Decidim
    suivi = dest / "participation" / "suivi_rencontres_2023-2024.csv"
    text, _ = _read_text(suivi)
    first = text.splitlines()[2].split(";")
    replace_cells(suivi, {first[4]: HOSTILE["evenement"]})
    decidim = dest / "participation" / "decidim_rencontres.csv"
    text, _ = _read_text(decidim)
    header, first = (line.split(";") for line in text.splitlines()[:2])
    replace_cells(decidim, {first[header.index("title/fr")]: HOSTILE["decidim"]})
    make_rare_group(dest / "participation", "QN00003A")
    # nom du territoire (titre des rapports et de l'index)
    text = config.read_text(encoding="utf-8")
    lines = [
        f"nom = {json.dumps(HOSTILE['territoire'], ensure_ascii=False)}"
        if line.startswith("nom = ")
        else line
        for line in text.split("\n")
    ]
    config.write_text("\n".join(lines), encoding="utf-8")
    return config


# ---------------------------------------------------------------------------- exécutions partagées


@contextmanager
def shared_dir(tmp_path_factory, name: str):
    """Dossier partagé par les processus de pytest-xdist (verrou ``flock``).

    Le bloc ``with`` reçoit ``(dossier, deja_fait)`` : il construit le contenu si
    ``deja_fait`` est faux ; le premier processus le fait, les autres attendent.
    """
    import fcntl

    base = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent
    target = base / name
    with open(base / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = base / f"{name}.fait"
        yield target, done.exists()
        done.touch()


@dataclass
class HostileRun:
    """Le territoire hostile, ses rapports (HTML et PDF) et sa carte interactive."""

    territory: Path
    config: Path
    out: Path
    carte: Path
    outputs: str

    @property
    def html_pages(self) -> list[Path]:
        return sorted(self.out.rglob("*.html"))

    def page(self, rel: str) -> Path:
        """``rel`` relatif au dossier de sortie ; « evaluation » = le rapport d'évaluation."""
        if rel == "evaluation":
            found = sorted((self.out / "evaluation").glob("contrat-de-ville-*.html"))
            assert found, "rapport d'évaluation absent"
            return found[0]
        return self.out / rel


def build_hostile_run(root: Path) -> str:
    """Territoire hostile + ``observatoire rapports`` (HTML, PDF) + ``observatoire carte``."""
    config = make_hostile_territory(root / "territoire")
    out = root / "sortie"
    logs = []
    for args in (
        ("rapports", "--config", str(config), "--tous", "--evaluation")
        + ("--format", "html,pdf", "--sortie", str(out), "--jobs", "2"),
        ("carte", "taux_pauvrete", "--config", str(config), "--format", "html")
        + ("--sortie", str(out / "cartes" / "taux_pauvrete.html")),
    ):
        result = run_cli(*args, cwd=root)
        logs.append(f"$ observatoire {' '.join(args)}\n[code {result.returncode}]\n")
        logs.append(result.stdout + result.stderr)
    text = "\n".join(logs)
    (root / "sorties-commandes.txt").write_text(text, encoding="utf-8")
    return text


def hostile_run(tmp_path_factory) -> HostileRun:
    """Exécution partagée (une seule par session de tests, même avec pytest -n 2)."""
    with shared_dir(tmp_path_factory, "territoire-hostile") as (root, done):
        if not done:
            root.mkdir(parents=True, exist_ok=True)
            build_hostile_run(root)
    return HostileRun(
        territory=root / "territoire",
        config=root / "territoire" / "observatoire.toml",
        out=root / "sortie",
        carte=root / "sortie" / "cartes" / "taux_pauvrete.html",
        outputs=(root / "sorties-commandes.txt").read_text(encoding="utf-8"),
    )


RARE_CODE, RARE_GROUP, RARE_LABEL = "QN00003A", "75+", "75 ans et plus"


def make_rare_group(participation: Path, code: str = RARE_CODE) -> None:
    """Ne laisse que 2 présences « 75+ » dans ``code`` : un petit effectif à masquer."""
    from openpyxl import load_workbook

    presences = participation / "presences_conseils_citoyens.csv"
    text, encoding = _read_text(presences)
    lines, kept = text.split("\n"), 0
    for i, line in enumerate(lines):
        cells = line.split(",")
        if len(cells) > 3 and cells[0].startswith(f"CC-{code}") and cells[3] == RARE_GROUP:
            if kept < 2:
                kept += 1
            else:
                cells[3] = "60-74"
                lines[i] = ",".join(cells)
    presences.write_bytes("\n".join(lines).encode(encoding))
    # les comptes par tranche saisis par réunion : vidés pour ce quartier
    suivi = participation / "suivi_rencontres_2023-2024.csv"
    text, encoding = _read_text(suivi)
    lines = text.split("\n")
    header = lines[1].split(";")
    column, where = header.index(RARE_LABEL), header.index("Quartier(s)")
    for i, line in enumerate(lines[2:], start=2):
        cells = line.split(";")
        if len(cells) > column and code in cells[where]:
            cells[column] = ""
            lines[i] = ";".join(cells)
    suivi.write_bytes("\n".join(lines).encode(encoding))
    workbook = participation / "suivi_rencontres_2025.xlsx"
    wb = load_workbook(workbook)
    for ws in wb.worksheets:
        header = None
        for row in ws.iter_rows():
            values = [c.value for c in row]
            if header is None and RARE_LABEL in values:
                header = values
                continue
            if header and code in str(row[header.index("Quartier(s)")].value or ""):
                row[header.index(RARE_LABEL)].value = None
    wb.save(workbook)
