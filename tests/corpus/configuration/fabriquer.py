"""Fabrique les fixtures binaires des cas de configuration (territoire FICTIF).

Zip à deux Shapefile, Shapefile à projection locale (LOCAL_CS), contour qui traverse
l'antiméridien. Relancer : ``.venv/bin/python tests/corpus/configuration/fabriquer.py``.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE = HERE.parent / "base" / "contours_qpv_2024.geojson"
LOCAL_CS = 'LOCAL_CS["Plan local du chantier (fictif)",UNIT["metre",1]]'


def _shapefile(gdf, stem: str, folder: Path) -> dict[str, bytes]:
    gdf.to_file(folder / f"{stem}.shp", engine="pyogrio")
    return {p.name: p.read_bytes() for p in sorted(folder.glob(f"{stem}.*"))}


def main() -> None:
    import tempfile

    import geopandas as gpd

    gdf = gpd.read_file(BASE).to_crs("EPSG:2154")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        first = _shapefile(gdf, "qpv_2024", folder)
        second = _shapefile(gdf.iloc[:1], "qpv_2015_archive", folder)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as zf:
            for name, data in {**first, **second}.items():
                zf.writestr(name, data)
        (HERE / "deux_shapefiles.zip").write_bytes(buffer.getvalue())
        local = _shapefile(gdf, "projection_locale", folder)
        for name, data in local.items():
            if name.endswith(".prj"):
                data = LOCAL_CS.encode("ascii")
            if name.endswith((".shp", ".shx", ".dbf", ".prj")):
                (HERE / name).write_bytes(data)
    data = json.loads(BASE.read_text(encoding="utf-8"))
    ring = [[179.9, -16.8], [-179.9, -16.8], [-179.9, -16.7], [179.9, -16.7], [179.9, -16.8]]
    data["features"][0]["geometry"] = {"type": "Polygon", "coordinates": [ring]}
    data["name"] = "contours_antimeridien (données fictives)"
    text = json.dumps(data, ensure_ascii=False, indent=0)
    (HERE / "contour_antimeridien.geojson").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
