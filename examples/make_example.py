"""Generate the bundled example: Eastbrook, a fictional borough (SYNTHETIC DATA).

Nothing here describes a real place. Eastbrook's outline, small areas,
population and assets are invented, placed on the map only so that the files
behave like real ones (WGS84 GeoJSON from a boundary portal, an ONS-format
population table, a council's asset spreadsheet).

The output is deterministic: the same script writes the same bytes.

    python examples/make_example.py            # rewrite the committed files
    python examples/make_example.py --out DIR  # write them under DIR instead

Writes, relative to the repository (or DIR):

- ``data/boundaries/eastbrook_small_areas.geojson``: 40 small areas
  (``sa_code``, ``sa_name``), WGS84.
- ``data/boundaries/eastbrook_neighbourhood_lookup.csv``: small area to
  neighbourhood (6 neighbourhoods of 30,000-50,000 people).
- ``data/boundaries/eastbrook_population.csv``: population by small area,
  sex and single year of age in the ONS mid-year estimates' wide format.
- ``examples/eastbrook_assets.csv``: about 300 community assets with messy
  category words and a few rows that cannot be used as they are.

The deliberate gaps (what ``asset-map gaps`` should find):

- Southmoor has the oldest population and no dementia support at all.
- Eastfield has no money/debt advice and no food bank.
- Riverside, the youngest neighbourhood, has almost nothing for young people.
- Old Town's assets all sit in the town centre, so its outskirts are out of
  reach of walking groups and lunch clubs.
- Nobody in the borough offers bereavement support except one hospice.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import random
from pathlib import Path

import shapely
from pyproj import Transformer
from shapely.geometry import MultiPoint, Point, Polygon, mapping

SEED = 20261122
ROOT = Path(__file__).resolve().parent.parent

#: Centre of the fictional borough in British National Grid (metres).
CX, CY = 446_000.0, 282_000.0

#: Neighbourhood, centre offset from the borough centre (m), number of small
#: areas, population per small area, and the age profile (see ``age_weights``).
NEIGHBOURHOODS = [
    ("EB01", "Northgate", (-1500, 4200), 7, 6200, "working"),
    ("EB02", "Old Town", (0, 0), 7, 6400, "mixed"),
    ("EB03", "Riverside", (4600, 1200), 7, 6100, "young"),
    ("EB04", "Eastfield", (4200, -3600), 6, 6300, "young"),
    ("EB05", "Southmoor", (-600, -4600), 6, 5600, "older"),
    ("EB06", "Westbury Park", (-5000, 0), 7, 5500, "older"),
]

STREETS = {
    "Northgate": ["Mill Lane", "Northgate Road", "Canal Street", "Station Approach", "Foundry Way"],
    "Old Town": ["Market Place", "High Street", "Church Walk", "Bridge Street", "Castle Hill"],
    "Riverside": ["Wharf Road", "Ferry Lane", "Willow Crescent", "Quayside", "Heron Close"],
    "Eastfield": ["Eastfield Avenue", "Beech Grove", "Colliery Road", "Hawthorn Drive", "Union Street"],
    "Southmoor": ["Moor Lane", "Heather Road", "Southmoor Green", "Chapel Street", "Gorse Way"],
    "Westbury Park": ["Park Drive", "The Avenue", "Westbury Lane", "Orchard Rise", "Lime Tree Walk"],
}
POSTCODE_DISTRICT = {"Northgate": "EB1", "Old Town": "EB2", "Riverside": "EB3", "Eastfield": "EB4",
                     "Southmoor": "EB5", "Westbury Park": "EB6"}

#: Per category: how many assets per neighbourhood, name templates, the
#: category words a council officer might have typed, and a description.
CATEGORIES: dict[str, dict] = {
    "loneliness_isolation": dict(n=4, names=["{p} Befriending Service", "{p} Lunch Club", "Coffee Morning at {s}",
                                             "{p} Friendship Group"],
                                 words=["Befriending", "befriending; Lunch club", "Social isolation", "LUNCH CLUB",
                                        "coffee morning", "Loneliness"],
                                 desc="Friendly company and a hot drink for anyone who feels on their own."),
    "mental_wellbeing": dict(n=3, names=["{p} Wellbeing Hub", "{p} Peer Support Group", "Talking Space {p}"],
                             words=["Mental health", "peer support", "Wellbeing", "mental health, counselling"],
                             desc="Drop-in peer support and low-level mental health help."),
    "physical_activity": dict(n=6, names=["{p} Walking Group", "{p} Parkrun", "{p} Leisure Centre",
                                          "{p} Chair Exercise Class", "{p} Tai Chi", "{p} Football Club"],
                              words=["Walking group", "walking", "Sport", "Exercise; Older people", "tai chi",
                                     "Physical Activity", "fitness"],
                              desc="Gentle exercise for all abilities."),
    "carers": dict(n=2, names=["{p} Carers Group", "{p} Young Carers"],
                   words=["Carers", "carers support", "Young carers"],
                   desc="Support and a break for unpaid carers."),
    "dementia": dict(n=2, names=["{p} Memory Cafe", "Singing for the Brain {p}"],
                     words=["Dementia", "memory café", "Dementia; carers"],
                     desc="A welcoming cafe for people living with dementia and those who care for them."),
    "older_people_independence": dict(n=3, names=["{p} Age Friendly Hub", "{p} Falls Prevention Class",
                                                  "{p} Handyperson Scheme"],
                                      words=["Older people", "Falls prevention", "older adults | home help"],
                                      desc="Help for older residents to stay independent at home."),
    "food_cooking": dict(n=2, names=["{p} Foodbank", "{p} Community Pantry", "{p} Cook and Eat"],
                         words=["Food bank", "foodbank", "Community pantry; cooking", "Food."],
                         desc="Emergency food parcels and a low-cost pantry."),
    "money_advice": dict(n=1, names=["Citizens Advice {p}", "{p} Debt Advice Drop-in", "{p} Credit Union"],
                         words=["Money advice", "Debt; Benefits", "Citizens Advice", "welfare rights"],
                         desc="Free, confidential advice on debt, benefits and budgeting."),
    "housing": dict(n=1, names=["{p} Housing Advice", "{p} Tenancy Support"],
                    words=["Housing", "housing advice", "Homelessness"],
                    desc="Advice for tenants and people at risk of homelessness."),
    "employment_skills": dict(n=2, names=["{p} Job Club", "{p} Adult Learning Centre", "ESOL at {s}"],
                              words=["Employment", "Job club", "Skills; training", "ESOL"],
                              desc="Help with CVs, job search and English classes."),
    "substance_misuse": dict(n=1, names=["{p} Recovery Cafe", "{p} Drug and Alcohol Service"],
                             words=["Drugs and alcohol", "Recovery group", "Addiction"],
                             desc="Recovery support for people affected by drugs or alcohol."),
    "children_families": dict(n=4, names=["{p} Stay and Play", "{p} Parent and Toddler Group",
                                          "{p} Family Hub", "{p} Baby Group"],
                              words=["Parent and toddler", "Children; Families", "Stay and play", "Family support"],
                              desc="Sessions for babies, toddlers and their parents."),
    "young_people": dict(n=2, names=["{p} Youth Club", "{p} Scouts", "{p} Youth Theatre"],
                         words=["Youth club", "Young people", "Youth; Drama"],
                         desc="Evening activities for 11-18 year olds."),
    "learning_disability_autism": dict(n=1, names=["{p} Autism Support Group", "{p} Learning Disability Social"],
                                       words=["Autism", "Learning disability", "SEND"],
                                       desc="A social group for adults with a learning disability or autism."),
    "long_term_conditions": dict(n=3, names=["{p} Medical Practice", "{p} Breathe Easy", "{p} Diabetes Support"],
                                 words=["GP practice", "COPD", "Diabetes", "Long term conditions"],
                                 desc="Support for people living with a long-term condition."),
    "arts_culture": dict(n=3, names=["{p} Community Choir", "{p} Art Club", "{p} Library Craft Group"],
                         words=["Arts", "choir; singing", "Arts and crafts", "Music"],
                         desc="Creative sessions for all ages; no experience needed."),
    "nature_green_space": dict(n=2, names=["{p} Community Garden", "{p} Allotment Society", "Friends of {p} Park"],
                               words=["Gardening", "Community garden", "Nature; Conservation"],
                               desc="Volunteer gardening and conservation days."),
    "digital_inclusion": dict(n=1, names=["{p} Get Online Sessions", "{p} Tech Help Cafe"],
                              words=["Digital inclusion", "computer class", "Tech help"],
                              desc="Help with phones, tablets and getting online."),
    "bereavement": dict(n=0, names=["{p} Hospice"], words=["Bereavement; grief"],
                        desc="Bereavement support and counselling."),
    "information_signposting": dict(n=2, names=["{p} Community Navigator", "{p} Advice Point"],
                                    words=["Signposting", "Information and advice", "Social prescribing"],
                                    desc="Finds the right local help and makes the introduction."),
    "community_spaces": dict(n=4, names=["{p} Community Centre", "St {saint}'s Church Hall", "{p} Library",
                                         "{p} Village Hall"],
                             words=["Community centre", "Church hall", "Library", "Community hub"],
                             desc="A space local groups can book."),
}
SAINTS = ["Mary", "John", "Peter", "Andrew", "Michael", "Luke", "Anne", "Barnabas", "Chad", "Hilda"]

#: (neighbourhood, category) -> number of assets, overriding the category's ``n``.
GAPS = {
    ("Southmoor", "dementia"): 0,
    ("Southmoor", "loneliness_isolation"): 1,
    ("Eastfield", "money_advice"): 0,
    ("Eastfield", "food_cooking"): 0,
    ("Riverside", "young_people"): 0,
    ("Old Town", "bereavement"): 1,
    ("Old Town", "physical_activity"): 8,
    ("Old Town", "money_advice"): 2,
    ("Northgate", "young_people"): 3,
}
#: Neighbourhoods whose assets all sit within this distance (m) of the centre.
CLUSTERED = {"Old Town": 700.0}


def age_weights(profile: str) -> list[float]:
    """Relative population at each single year of age 0..90 (90 = 90 and over)."""
    weights = []
    for age in range(91):
        base = math.exp(-((age - 38) / 38) ** 2) + 0.35
        if profile == "young":
            base *= 1.35 if age < 16 else 1.2 if age < 40 else 0.8 if age < 65 else 0.55
        elif profile == "older":
            base *= 0.75 if age < 16 else 0.85 if age < 50 else 1.6 if age < 85 else 1.9
        elif profile == "working":
            base *= 0.95 if age < 16 else 1.2 if age < 45 else 0.9
        weights.append(base * (0.25 if age == 90 else 1.0) * (0.5 ** max(0, (age - 75) / 6)))
    return weights


def split_count(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """Split ``total`` into integers proportional to ``weights`` (largest remainders, jittered)."""
    jittered = [w * rng.uniform(0.85, 1.15) for w in weights]
    s = sum(jittered)
    raw = [total * w / s for w in jittered]
    counts = [math.floor(r) for r in raw]
    order = sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def outline(rng: random.Random) -> Polygon:
    """A lumpy, roughly 14 km by 12 km borough outline."""
    pts = []
    for k in range(48):
        a = 2 * math.pi * k / 48
        r = 6500 * (1 + 0.08 * math.sin(3 * a) + 0.05 * math.cos(5 * a) + rng.uniform(-0.02, 0.02))
        pts.append((CX + 1.1 * r * math.cos(a), CY + r * math.sin(a)))
    return Polygon(pts)


def small_areas(rng: random.Random, border: Polygon) -> list[tuple[str, int, Polygon]]:
    """Voronoi cells of seeds scattered around each neighbourhood centre, clipped to the border.

    Returns (neighbourhood code, index, polygon) with polygons in BNG, each
    assigned to the neighbourhood whose seeds it was grown from.
    """
    seeds: list[tuple[str, Point]] = []
    for code, _name, (dx, dy), n, _pop, _profile in NEIGHBOURHOODS:
        for k in range(n):
            a = 2 * math.pi * k / n + rng.uniform(-0.3, 0.3)
            r = 0 if k == 0 else rng.uniform(900, 2000)
            seeds.append((code, Point(round(CX + dx + r * math.cos(a)), round(CY + dy + r * math.sin(a)))))
    cells = shapely.voronoi_polygons(MultiPoint([p for _, p in seeds]), extend_to=border.buffer(5000))
    out = []
    for code, seed in seeds:
        cell = next(c for c in cells.geoms if c.contains(seed))
        out.append((code, len(out), shapely.set_precision(cell.intersection(border), 1.0)))
    return out


def random_point(rng: random.Random, poly, centre: Point | None = None, radius: float | None = None) -> Point:
    """A uniformly random point in ``poly`` (and within ``radius`` of ``centre`` if given)."""
    x0, y0, x1, y1 = poly.bounds
    while True:
        p = Point(rng.uniform(x0, x1), rng.uniform(y0, y1))
        if poly.contains(p) and (centre is None or p.distance(centre) <= radius):
            return p


def build(out_root: Path) -> dict[str, Path]:
    rng = random.Random(SEED)
    to_wgs = Transformer.from_crs(27700, 4326, always_xy=True)
    border = outline(rng)
    cells = small_areas(rng, border)
    names = {c: n for c, n, *_ in NEIGHBOURHOODS}
    spec = {c: (n, pop, profile) for c, _, _, n, pop, profile in NEIGHBOURHOODS}

    # Small areas, codes in an ONS-like but clearly fictional series (X = not a UK nation).
    areas = []
    counters: dict[str, int] = {}
    for nb_code, _i, poly in cells:
        counters[nb_code] = counters.get(nb_code, 0) + 1
        sa_code = f"X0200{int(nb_code[2:]):02d}{counters[nb_code]:02d}"
        sa_name = f"{names[nb_code]} {counters[nb_code]:02d}"
        areas.append((sa_code, sa_name, nb_code, poly))

    def lonlat(coords):
        xs, ys = zip(*coords)
        lon, lat = to_wgs.transform(xs, ys)
        return [[round(a, 6), round(b, 6)] for a, b in zip(lon, lat)]

    features = []
    for sa_code, sa_name, _nb, poly in areas:
        polys = [poly] if poly.geom_type == "Polygon" else list(poly.geoms)
        rings = [[lonlat(p.exterior.coords)] + [lonlat(r.coords) for r in p.interiors] for p in polys]
        geometry = ({"type": "Polygon", "coordinates": rings[0]} if len(rings) == 1
                    else {"type": "MultiPolygon", "coordinates": rings})
        features.append({"type": "Feature", "properties": {"sa_code": sa_code, "sa_name": sa_name},
                         "geometry": geometry})
    boundary_dir = out_root / "data" / "boundaries"
    examples_dir = out_root / "examples"
    boundary_dir.mkdir(parents=True, exist_ok=True)
    examples_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "small_areas": boundary_dir / "eastbrook_small_areas.geojson",
        "lookup": boundary_dir / "eastbrook_neighbourhood_lookup.csv",
        "population": boundary_dir / "eastbrook_population.csv",
        "assets": examples_dir / "eastbrook_assets.csv",
    }
    collection = {
        "type": "FeatureCollection",
        "name": "eastbrook_small_areas (SYNTHETIC: a fictional borough for the asset-map example)",
        "features": features,
    }
    paths["small_areas"].write_text(json.dumps(collection, separators=(",", ":")) + "\n", encoding="utf-8")

    paths["lookup"].write_text(_csv(
        ["sa_code", "sa_name", "neighbourhood_code", "neighbourhood_name"],
        [[c, n, nb, names[nb]] for c, n, nb, _ in areas],
    ), encoding="utf-8")

    # Population: ONS mid-year wide format, Persons = Females + Males.
    header = ["period", "area_code", "area_name", "geography", "sex", "all_ages", "aged_0_to_15",
              "aged_16_to_64", "aged_65_and_over", *[str(a) for a in range(90)], "90+"]
    rows = []
    for sa_code, sa_name, nb, _ in areas:
        _n, pop, profile = spec[nb]
        total = round(pop * rng.uniform(0.8, 1.2))
        weights = age_weights(profile)
        females = split_count(total // 2 + rng.randint(-60, 60), weights, rng)
        males = split_count(total - sum(females), weights, rng)
        persons = [f + m for f, m in zip(females, males)]
        for sex, ages in (("Persons", persons), ("Females", females), ("Males", males)):
            rows.append(["2024-06-30", sa_code, sa_name, "Small area (synthetic)", sex, sum(ages), sum(ages[:16]),
                         sum(ages[16:65]), sum(ages[65:]), *ages])
    paths["population"].write_text(_csv(header, rows), encoding="utf-8")

    # Assets.
    by_nb = {nb: shapely.union_all([p for _, _, n, p in areas if n == nb]) for nb, *_ in NEIGHBOURHOODS}
    centres = {nb: Point(CX + dx, CY + dy) for nb, _, (dx, dy), *_ in NEIGHBOURHOODS}
    assets = []
    for nb_code, nb_name, *_ in NEIGHBOURHOODS:
        for cat, info in CATEGORIES.items():
            for k in range(GAPS.get((nb_name, cat), info["n"])):
                radius = CLUSTERED.get(nb_name)
                pt = random_point(rng, by_nb[nb_code], centres[nb_code] if radius else None, radius)
                name = info["names"][k % len(info["names"])].format(
                    p=nb_name, s=rng.choice(STREETS[nb_name]), saint=rng.choice(SAINTS))
                if k >= len(info["names"]):  # a second group of the same kind meets elsewhere
                    name = f"{name} ({rng.choice(STREETS[nb_name])})"
                assets.append([name, rng.choice(info["words"]), info["desc"], nb_name, pt])
    rng.shuffle(assets)
    asset_rows = []
    for i, (name, words, desc, nb_name, pt) in enumerate(assets, start=1):
        lon, lat = to_wgs.transform(pt.x, pt.y)
        address = f"{rng.randint(1, 180)} {rng.choice(STREETS[nb_name])}, {nb_name}, Eastbrook"
        postcode = f"{POSTCODE_DISTRICT[nb_name]} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}" \
                   f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        asset_rows.append([f"EB-{i:04d}", name, words, desc, address, postcode, f"{lat:.6f}", f"{lon:.6f}"])

    # The rows a real list always has.
    def at(x, y):
        lon, lat = to_wgs.transform(x, y)
        return f"{lat:.6f}", f"{lon:.6f}"

    n = len(asset_rows)
    messy = [
        ["Westbury Park Knit and Natter", "Knitting circle", "Knitting and a natter, Tuesdays.",
         "Park Drive, Westbury Park, Eastbrook", "EB6 4QT", *at(CX - 5200, CY + 300)],
        ["Eastfield Men's Shed", "Men's shed", "Woodwork and company for men of all ages.",
         "Colliery Road, Eastfield, Eastbrook", "EB4 2LS", *at(CX + 4300, CY - 3300)],
        ["Southmoor Over 60s Bingo", "", "Weekly bingo.", "Chapel Street, Southmoor, Eastbrook", "EB5 1HW",
         *at(CX - 800, CY - 4300)],
        ["Riverside Boxing Club", "Sport; Young people", "Boxing for teenagers.", "Wharf Road, Riverside, Eastbrook",
         "EB3 7PD", "", ""],
        ["Old Town Samaritans", "Mental health; helpline", "Listening service.", "High Street, Old Town, Eastbrook",
         "EB2 1AA", "n/a", "n/a"],
        ["Northgate Repair Cafe", "Digital inclusion; Environment", "Bring broken things.",
         "Canal Street, Northgate, Eastbrook", "EB1 3RR", "", ""],
        ["Kingsford Hospice", "Bereavement", "Hospice in the next borough; serves Eastbrook families.",
         "Hospice Lane, Kingsford", "KF9 2XX", *at(CX + 11_500, CY - 2000)],
        ["County Carers Line", "Carers; Information and advice", "County-wide helpline, office outside Eastbrook.",
         "Shire Hall, Kingsford", "KF1 1SH", *at(CX - 2000, CY + 12_000)],
        ["Test entry - delete", "Befriending", "", "", "", "0", "0"],
    ]
    for k, row in enumerate(messy, start=1):
        asset_rows.insert((k * 37) % (n + k), [f"EB-{n + k:04d}", *row])
    paths["assets"].write_text(_csv(
        ["Asset ID", "Name", "Category", "Description", "Address", "Postcode", "Latitude", "Longitude"],
        asset_rows,
    ), encoding="utf-8")
    return paths


def _csv(header: list[str], rows: list[list[object]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT, help="Root folder to write under (default: the repository).")
    args = parser.parse_args()
    for path in build(args.out).values():
        print(path)


if __name__ == "__main__":
    main()
