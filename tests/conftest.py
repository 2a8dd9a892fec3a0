"""Shared fixtures: small data built in code, the real Trafford files, and the two workspace stores.

The real files live in ``../shared/data/real`` beside the project and are read
from there, never copied.

With ``ASSET_MAP_TEST_POSTGRES`` set to a PostgreSQL server with PostGIS
(``postgresql://postgres@127.0.0.1:PORT/postgres``; ``.ci/postgres start`` starts
one), every test runs twice: ``[gpkg]`` as written, and ``[postgis]`` with each
GeoPackage workspace the test names kept instead in its own schema of a
database made for the run. Without it only ``[gpkg]`` runs.
"""

from __future__ import annotations

import csv
import hashlib
import os
import threading
from contextlib import contextmanager
from functools import lru_cache
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
REAL = PROJECT.parent / "shared" / "data" / "real"
TRAFFORD = REAL / "trafford"

#: Origin of the test grid: a point in the English Midlands, in BNG metres.
X0, Y0 = 450_000.0, 300_000.0


POSTGRES = os.environ.get("ASSET_MAP_TEST_POSTGRES")
TEST_DATABASE = f"asset_map_test_{os.getpid()}"


def pytest_generate_tests(metafunc):
    if "store_kind" in metafunc.fixturenames:
        kinds = ["gpkg", "postgis"]
        if metafunc.definition.get_closest_marker("gpkg_only"):
            kinds = ["gpkg"]
        elif metafunc.definition.get_closest_marker("postgis_only"):
            kinds = ["postgis"]
        if not POSTGRES:
            kinds = [k if k == "gpkg" else pytest.param(k, marks=pytest.mark.skip(
                reason="no PostgreSQL server: set ASSET_MAP_TEST_POSTGRES (.ci/postgres start FOLDER starts one)"))
                for k in kinds if k == "gpkg" or len(kinds) == 1]
        metafunc.parametrize("store_kind", kinds, indirect=True)


def postgres_url(database: str, schema: str | None = None) -> str:
    """The test server's address for ``database`` (and ``schema``)."""
    from urllib.parse import urlsplit, urlunsplit

    url = urlunsplit(urlsplit(POSTGRES)._replace(path=f"/{database}", query=""))
    return f"{url}?schema={schema}" if schema else url


@pytest.fixture(scope="session")
def postgres_database():
    """A database made for this test run on the ``ASSET_MAP_TEST_POSTGRES`` server, dropped afterwards."""
    import psycopg

    with psycopg.connect(POSTGRES, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {TEST_DATABASE}")
        con.execute(f"CREATE DATABASE {TEST_DATABASE}")
    with psycopg.connect(postgres_url(TEST_DATABASE), autocommit=True) as con:
        con.execute("CREATE EXTENSION postgis")
    yield TEST_DATABASE
    with psycopg.connect(POSTGRES, autocommit=True) as con:
        con.execute(f"DROP DATABASE IF EXISTS {TEST_DATABASE} WITH (FORCE)")


def schema_for(path: str | os.PathLike) -> str:
    """The PostGIS schema standing for a GeoPackage workspace path in the ``[postgis]`` runs."""
    return "t_" + hashlib.sha1(str(Path(path).resolve()).encode()).hexdigest()[:24]


@pytest.fixture(autouse=True)
def store_kind(request, monkeypatch):
    """``gpkg``, or ``postgis``: workspaces named by a GeoPackage path live in a PostGIS schema instead."""
    if request.param == "postgis":
        import asset_map.workspace
        from asset_map.store.postgis import is_postgres_location
        from asset_map.store import open_store

        database = request.getfixturevalue("postgres_database")

        def to_postgis(location=None):
            if location is None or str(location) == "":
                location = os.environ.get("ASSET_MAP_WORKSPACE") or "asset-map.gpkg"
            if is_postgres_location(location):
                return open_store(location)
            return open_store(postgres_url(database, schema_for(location)))

        monkeypatch.setattr(asset_map.workspace, "open_store", to_postgis)
    return request.param


def _store(where):
    import asset_map

    return where.store if isinstance(where, asset_map.Workspace) else asset_map.Workspace(where).store


def ws_exists(where) -> bool:
    """Whether a workspace (a Workspace, or the path a test names it by) exists, in this run's store."""
    return _store(where).exists()


def fingerprint(where) -> str:
    """A digest of a workspace's whole content, to check that a command left it as it was.

    For a GeoPackage the file's bytes; for PostGIS every table's columns, rows and geometries.
    """
    from asset_map.store import GeoPackageStore

    store = _store(where)
    if not store.exists():
        return "absent"
    digest = hashlib.sha256()
    if isinstance(store, GeoPackageStore):
        digest.update(store.path.read_bytes())
        return digest.hexdigest()
    import shapely

    for name in store.layers():
        table = store.read(name)
        digest.update(repr((name, list(table.columns.items()))).encode())
        if table.geometry is not None:
            digest.update(repr(shapely.to_wkb(table.geometry).tolist()).encode())
    return digest.hexdigest()


def cli_location(where) -> str:
    """The workspace's location to give a separate process (``-w``): the path, or the PostGIS address."""
    from asset_map.store import GeoPackageStore

    store = _store(where)
    if isinstance(store, GeoPackageStore):
        return str(store.path)
    return postgres_url(store.database, store.schema)


def big_import(tmp_path: Path, rows: int = 60_000) -> Path:
    """A large asset list in easting/northing, so the import runs long enough to be interrupted."""
    body = "".join(
        f"Club {i},carers; arts; walking,{X0 + i % 4000:.0f},{Y0 + (i * 7) % 2000:.0f}\n" for i in range(rows)
    )
    path = tmp_path / "big.csv"
    path.write_text("Name,Category,Easting,Northing\n" + body)
    return path


@pytest.fixture
def trafford() -> Path:
    if not TRAFFORD.is_dir():
        pytest.fail(f"the real Trafford data is missing: expected {TRAFFORD} (../shared beside the project)")
    return TRAFFORD


def square(x: float, y: float, size: float):
    from shapely.geometry import box

    return box(x, y, x + size, y + size)


def write_areas(path: Path, areas: list[tuple[str, str, float, object]], crs: str = "EPSG:27700") -> Path:
    """Write (code, name, population, polygon in BNG) rows as a boundary file in ``crs``."""
    import geopandas as gpd

    gdf = gpd.GeoDataFrame(
        {"area_code": [a[0] for a in areas], "area_name": [a[1] for a in areas], "pop": [a[2] for a in areas]},
        geometry=[a[3] for a in areas],
        crs="EPSG:27700",
    ).to_crs(crs)
    gdf.to_file(path)
    return path


@pytest.fixture
def two_areas(tmp_path) -> Path:
    """Two 2 km squares side by side: West (W01, 10,000 people) and East (E01, 5,000)."""
    return write_areas(
        tmp_path / "areas.geojson",
        [("W01", "West", 10_000, square(X0, Y0, 2000)), ("E01", "East", 5_000, square(X0 + 2000, Y0, 2000))],
        crs="EPSG:4326",
    )


@lru_cache(maxsize=1)
def _to_lonlat():
    from pyproj import Transformer

    return Transformer.from_crs(27700, 4326, always_xy=True)


def bng_to_lonlat(x: float, y: float) -> tuple[float, float]:
    return _to_lonlat().transform(x, y)


def write_csv(path: Path, header: list[str], rows: list[list[object]], encoding: str = "utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)
    return path


def asset_row(name: str, category: str, x: float, y: float) -> list[object]:
    """A CSV row (Name, Category, Latitude, Longitude) for a point given in BNG."""
    lon, lat = bng_to_lonlat(x, y)
    return [name, category, f"{lat:.7f}", f"{lon:.7f}"]


@pytest.fixture
def assets_csv(tmp_path) -> Path:
    """Six rows: 3 good in West/East, 1 just outside both areas, 1 without coordinates, 1 unknown category."""
    return write_csv(
        tmp_path / "assets.csv",
        ["Name", "Category", "Latitude", "Longitude"],
        [
            asset_row("West Befriending", "Befriending; carers", X0 + 1000, Y0 + 1000),
            asset_row("West Walkers", "Walking group", X0 + 500, Y0 + 500),
            asset_row("East Food Bank", "food bank", X0 + 3000, Y0 + 1000),
            asset_row("Hospice over the border", "Bereavement", X0 + 5000, Y0 + 1000),
            ["No Place Club", "Arts", "", ""],
            asset_row("Knit and Natter", "Knitting circle", X0 + 2500, Y0 + 1500),
        ],
    )


@pytest.fixture
def workspace(tmp_path):
    import asset_map

    return asset_map.Workspace(tmp_path / "ws.gpkg")


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass  # the client gave up (timeout tests): not worth a traceback


@contextmanager
def local_server(handler):
    """Serve ``handler`` (a BaseHTTPRequestHandler class) on 127.0.0.1 in a thread; yields the base URL."""
    server = _QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------- a population layer
#: Small areas as population-weighted centroids: (code, all_ages, aged_65_and_over, x, y) in BNG.
#: S1–S3 lie in West (two_areas' x 0–2 km), S4 in East (x 2–4 km), S5 outside both.
POINTS = [
    ("S1", 1000, 100, X0 + 500, Y0 + 1000),
    ("S2", 3000, 600, X0 + 1500, Y0 + 1000),
    ("S3", 2000, 300, X0 + 1000, Y0 + 1900),
    ("S4", 4000, 1000, X0 + 3000, Y0 + 1000),
    ("S5", 9999, 0, X0 + 9000, Y0 + 1000),
]


def write_points(path: Path, rows, crs: str = "EPSG:27700") -> Path:
    """(code, all_ages, aged_65_and_over, x, y) rows as a GeoJSON of population-weighted centroids."""
    import geopandas as gpd
    from shapely.geometry import Point

    gdf = gpd.GeoDataFrame(
        {"code": [r[0] for r in rows], "all_ages": [r[1] for r in rows], "aged_65_and_over": [r[2] for r in rows]},
        geometry=[Point(r[3], r[4]) for r in rows], crs="EPSG:27700",
    ).to_crs(crs)
    gdf.to_file(path)
    return path


@pytest.fixture
def layered(tmp_path, two_areas):
    """A workspace with West and East and the population layer S1–S4 (West 6,000 people, East 4,000)."""
    import asset_map

    w = asset_map.Workspace(tmp_path / "ws.gpkg")
    w.load_boundaries(two_areas, code_field="area_code", name_field="area_name")
    w.load_population(write_points(tmp_path / "pw.geojson", POINTS[:4]))
    return w


def trafford_localities(path: Path, *, small_areas: str = "lsoa"):
    """A workspace with Trafford's 4 localities and its LSOA (or OA) population layer, mid-2024."""
    import asset_map

    ws = asset_map.Workspace(path)
    ws.load_boundaries(TRAFFORD / "boundaries" / "trafford_localities_generalised_resolution_2023.geojson",
                       name_field="area_name")
    result = ws.load_population(
        TRAFFORD / "boundaries" / f"trafford_{small_areas}_generalised_2021.geojson",
        population_csv=TRAFFORD / "population" / f"mid-year_2024_population_estimates_{small_areas}.csv")
    return ws, result


def area_share_parts(small, areas, key):
    """Independent of asset-map: each small area cut by ``areas`` (gpd.overlay), its share of people by area,
    slivers (< 1% inside an area, < 10% outside every area) left out and the shares of the rest scaled to 1;
    each part at its centroid, or a point inside it when the centroid falls outside."""
    import geopandas as gpd

    small = small[["area_code", "geometry"]].assign(full=small.area)
    x = gpd.overlay(small, areas[[key, "geometry"]], how="identity", keep_geom_type=True)
    x = x[x.area > 0].reset_index(drop=True)
    share = x.area / x["full"]
    largest = share == share.groupby(x["area_code"]).transform("max")
    x = x[largest | (x[key].notna() & (share >= 0.01)) | (x[key].isna() & (share >= 0.10))].reset_index(drop=True)
    x["w"] = x.area / x.area.groupby(x["area_code"]).transform("sum")
    inside = x.contains(x.centroid)
    x["point"] = x.centroid.where(inside, x.representative_point())
    return x
