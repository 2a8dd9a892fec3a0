"""Reading Open Referral UK (ORUK) service directories: JSON feeds (v1 and v3) and HSDS CSV packages.

Every form is read into the same :class:`~asset_map.inputs.oruk_records.Service` records:

- **v1 JSON** (the first ORUK API): pages ``{"content": [...], "totalElements",
  "totalPages"}``; a service's places are ``service_at_locations[].location``
  with ``latitude``, ``longitude`` and ``physical_addresses[].postal_code``;
  its terms ``service_taxonomys[].taxonomy`` (``id``, ``name``,
  ``vocabulary``); ages in ``eligibilitys[]``; opening times in
  ``regular_schedules[]``.
- **v3 JSON** (HSDS 3 UK profile): pages ``{"contents": [...], "total_items",
  "total_pages"}``; places ``service_at_locations[].location`` with
  ``location_type``, ``latitude``, ``longitude`` and ``addresses[]``
  (``postal_code``, ``address_type``); terms ``attributes[].taxonomy_term``
  (``id``, ``code``, ``name``, ``taxonomy`` or ``vocabulary``); ages
  ``minimum_age``/``maximum_age`` on the service; ``schedules[]``,
  ``capacities[]``, ``service_areas[]`` (``extent``, ``extent_type``, ``uri``).
- a bare JSON array of services, or one service object (either version);
- an **HSDS CSV package** (a folder or a zip): v1-era file names
  (``services.csv``, ``locations.csv``, ``service_at_location.csv``,
  ``physical_addresses.csv``, ``taxonomy.csv``, ``service_taxonomy.csv``,
  ``eligibility.csv``, ``regular_schedules.csv``, ``service_areas.csv``) or v3
  names (``service_at_locations.csv``, ``addresses.csv``,
  ``taxonomy_terms.csv``/``taxonomies.csv``, ``attributes.csv``/``attribute.csv``,
  ``schedules.csv``); the tables are joined by their ids into the nested form
  of the JSON feeds and read the same way.

A record that breaks the schema (no id, a latitude that is not a number, a
list that is not a list, a join to a missing row...) is reported as a
:class:`~asset_map.inputs.oruk_records.Problem` naming the record and the field, and whatever is usable in it
is still read. Descriptions arrive as HTML (``<p>``, ``&nbsp;``) and are
stored as plain text (:func:`html_to_text`).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterable

from ..errors import FeedError
from .oruk_records import Feed, Place, Problem, Service, TermRef

#: Field names that tell a v1 service from a v3 one.
V1_KEYS = {"service_taxonomys", "eligibilitys", "regular_schedules", "physical_addresses"}
V3_KEYS = {"attributes", "schedules", "capacities", "addresses", "contents"}

CSV_FILES = {
    "services": ("services.csv",),
    "locations": ("locations.csv",),
    "service_at_location": ("service_at_location.csv", "services_at_location.csv", "service_at_locations.csv"),
    "addresses": ("physical_addresses.csv", "addresses.csv"),
    # v3 keeps the terms in taxonomy_terms.csv and the vocabularies in taxonomies.csv.
    "taxonomy": ("taxonomy_terms.csv", "taxonomy_term.csv", "taxonomy.csv", "taxonomies.csv"),
    "service_taxonomy": ("service_taxonomy.csv", "services_taxonomy.csv", "attributes.csv", "attribute.csv"),
    "organizations": ("organizations.csv", "organization.csv"),
    "units": ("units.csv", "unit.csv"),
    "service_areas": ("service_areas.csv", "service_area.csv"),
    "eligibility": ("eligibility.csv", "eligibilitys.csv"),
    "schedules": ("regular_schedules.csv", "schedules.csv", "schedule.csv"),
    "capacities": ("service_capacities.csv", "capacities.csv", "service_capacity.csv"),
}


# ------------------------------------------------------------------ detecting and reading
def looks_like_feed(path: str | Path) -> bool:
    """Whether a file or folder is an ORUK feed rather than a GeoJSON file, a shapefile zip or a JSON list of
    records (:func:`asset_map.inputs.json_table.json_records`)."""
    p = Path(path)
    if p.is_dir():
        return any((p / name).is_file() for name in CSV_FILES["services"])
    suffix = p.suffix.lower()
    if suffix == ".zip":
        try:
            with zipfile.ZipFile(p) as z:
                return any(Path(n).name.lower() == "services.csv" for n in z.namelist())
        except (zipfile.BadZipFile, OSError):
            return False
    if suffix == ".json":
        try:
            with open(p, "rb") as fh:
                head = fh.read(4096).decode("utf-8", "ignore")
        except OSError:
            return False
        if re.search(r'"type"\s*:\s*"(FeatureCollection|Feature|Topology)"', head):
            return False
        from .json_table import json_records, load_json

        # A plain list of records (an export of practices, venues...) is a table, not a feed.
        return json_records(load_json(p)) is None
    return False


def read_feed(path: str | Path) -> Feed:
    """Read a saved feed: a JSON file (v1 or v3, paged, array or one service) or a CSV package (folder or zip).

    Raises
    ------
    FeedError
        If the file cannot be read as any form of ORUK feed.
    """
    p = Path(path)
    if not p.exists():
        raise FeedError(f"{p}: no such file or folder")
    if p.is_dir() or p.suffix.lower() == ".zip":
        return read_csv_package(p)
    try:
        data = json.loads(p.read_text("utf-8-sig"))
    except UnicodeDecodeError:
        raise FeedError(f"{p}: not UTF-8 text; save the feed as UTF-8 JSON") from None
    except json.JSONDecodeError as exc:
        raise FeedError(f"{p}, line {exc.lineno}: not valid JSON ({exc.msg}); save the feed again") from None
    return feed_from_pages([data], source=str(p))


def feed_from_pages(pages: Iterable[Any], *, source: str) -> Feed:
    """Read decoded JSON pages (from a file or fetched from an API) into a :class:`Feed`."""
    raw: list[Any] = []
    versions: set[str] = set()
    for page in pages:
        items, version = _page_items(page, source)
        raw.extend(items)
        if version:
            versions.add(version)
    if not versions:
        versions = {_guess_version(raw)}
    version = "v3" if "v3" in versions else "v1"
    problems: list[Problem] = []
    services: list[Service] = []
    unusable = 0
    for n, item in enumerate(raw, start=1):
        service = _read_service(item, n, version, problems)
        if service is None:
            unusable += 1
        else:
            services.append(service)
    if not raw:
        raise FeedError(f"{source}: the feed holds no services")
    return Feed(source, f"{version} JSON", services, problems, unusable)


def _page_items(page: Any, source: str) -> tuple[list[Any], str | None]:
    if isinstance(page, list):
        return page, None
    if not isinstance(page, dict):
        raise FeedError(f"{source}: not an Open Referral feed (the JSON is a {type(page).__name__})")
    if "contents" in page:
        items = page["contents"]
        version: str | None = "v3"
    elif "content" in page:
        items = page["content"]
        version = "v1"
    elif "id" in page and "name" in page:
        return [page], None
    else:
        keys = ", ".join(list(page)[:6])
        raise FeedError(f"{source}: not an Open Referral feed (no 'content', 'contents' or service; "
                        f"the keys are {keys}); save the /services response of the directory's API")
    if not isinstance(items, list):
        raise FeedError(f"{source}: '{'contents' if version == 'v3' else 'content'}' is not a list of services")
    return items, version


def _guess_version(items: list[Any]) -> str:
    keys: set[str] = set()
    for item in items[:50]:
        if isinstance(item, dict):
            keys |= set(item)
            for sal in item.get("service_at_locations") or []:
                if isinstance(sal, dict) and isinstance(sal.get("location"), dict):
                    keys |= set(sal["location"])
    return "v3" if keys & V3_KEYS and not keys & V1_KEYS else "v1"


# ------------------------------------------------------------------ one service
def _read_service(item: Any, n: int, version: str, problems: list[Problem]) -> Service | None:
    """Record ``n`` of a feed as a :class:`Service`, or ``None`` when it is not one (no object, no name).

    Its id, name and organisation (:func:`_service_head`), its places
    (:func:`_read_place`), its terms, ages, schedules and capacities as its
    version gives them (:func:`_read_v1`, :func:`_read_v3`), the areas it
    serves, whether it is free (:func:`_free`) and when it was last verified.
    """
    head = _service_head(item, n, problems)
    if head is None:
        return None
    service, where = head
    for k, sal in enumerate(_as_list(item, "service_at_locations", where, problems)):
        loc = sal.get("location") if isinstance(sal, dict) else None
        if not isinstance(loc, dict):
            problems.append(Problem(where, f"service_at_locations[{k}].location", "missing or not an object; ignored"))
            continue
        place = _read_place(loc, version, f"{where}, location {_text(loc.get('id')) or k}", problems)
        if place is not None:
            service.places.append(place)
    (_read_v1 if version == "v1" else _read_v3)(service, item, where, problems)
    for s in _as_list(item, "service_areas", where, problems):
        if isinstance(s, dict):
            service.served_areas.append(s)
    service.free = _free([c for c in _as_list(item, "cost_options", where, problems) if isinstance(c, dict)],
                         item.get("fees") or item.get("fees_description"))
    service.last_verified = _date_text(item.get("assured_date")) or _date_text(item.get("last_modified"))
    return service


def _service_head(item: Any, n: int, problems: list[Problem]) -> tuple[Service, str] | None:
    """A :class:`Service` with the record's id (made up when missing), name, description, status and
    organisation, and how problems name the record.

    ``None``, with a problem, when the record is not an object or has no name.
    """
    where = f"service #{n}"
    if not isinstance(item, dict):
        problems.append(Problem(where, "(record)", f"is a {type(item).__name__}, not a service object; skipped"))
        return None
    sid = _text(item.get("id"))
    if sid:
        where = f"service {sid!r}"
    else:
        problems.append(Problem(where, "id", "missing: every service needs an id; read with a made-up one"))
        sid = f"record-{n}"
    name = _text(item.get("name"))
    if not name:
        problems.append(Problem(where, "name", "missing: a service without a name cannot be mapped; skipped"))
        return None
    org = item.get("organization")
    return Service(
        record=n, id=sid, name=name, description=html_to_text(item.get("description")),
        status=_text(item.get("status")) or "active",
        organisation=_text(org.get("name")) if isinstance(org, dict) else None,
        places=[], terms=[],
    ), where


def _as_list(obj: dict, key: str, owner: str, problems: list[Problem]) -> list:
    """``obj[key]`` as a list (empty when missing); a value that is not a list is a problem, and ignored."""
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(Problem(owner, key, f"should be a list, not a {type(value).__name__}; ignored"))
        return []
    return value


def _read_v1(service: Service, item: dict, where: str, problems: list[Problem]) -> None:
    """A v1 service's terms (``service_taxonomys``), ages (``eligibilitys``) and ``regular_schedules``."""
    for k, st in enumerate(_as_list(item, "service_taxonomys", where, problems)):
        tax = st.get("taxonomy") if isinstance(st, dict) else None
        if isinstance(tax, dict):
            service.terms.append(TermRef(_text(tax.get("vocabulary")), _text(tax.get("id")),
                                         _text(tax.get("name"))))
        else:
            problems.append(Problem(where, f"service_taxonomys[{k}].taxonomy", "missing; ignored"))
    for e in _as_list(item, "eligibilitys", where, problems):
        if isinstance(e, dict):
            service.min_age = _age(e.get("minimum_age"), service.min_age, min, where, problems)
            service.max_age = _age(e.get("maximum_age"), service.max_age, max, where, problems)
    service.schedules = [s for s in _as_list(item, "regular_schedules", where, problems) if isinstance(s, dict)]


def _read_v3(service: Service, item: dict, where: str, problems: list[Problem]) -> None:
    """A v3 service's terms (``attributes``), ages, ``schedules`` and ``capacities``.

    The capacity value is the largest number of places among the capacities (:func:`_places`), in that
    capacity's unit.
    """
    for k, attr in enumerate(_as_list(item, "attributes", where, problems)):
        term = attr.get("taxonomy_term") if isinstance(attr, dict) else None
        if isinstance(term, dict):
            vocab = term.get("taxonomy") or term.get("vocabulary")
            if isinstance(vocab, dict):
                vocab = vocab.get("name")
            # HSDS 3 gives code and name; the ORUK profile a single "term"; term_uri may name the term.
            service.terms.append(TermRef(
                _text(vocab), _text(term.get("code")) or _text(term.get("term_uri")) or _text(term.get("id")),
                _text(term.get("name")) or _text(term.get("term"))))
        else:
            problems.append(Problem(where, f"attributes[{k}].taxonomy_term", "missing; ignored"))
    service.min_age = _age(item.get("minimum_age"), None, min, where, problems)
    service.max_age = _age(item.get("maximum_age"), None, max, where, problems)
    service.schedules = [s for s in _as_list(item, "schedules", where, problems) if isinstance(s, dict)]
    caps = [c for c in _as_list(item, "capacities", where, problems) if isinstance(c, dict)]
    service.capacity = "; ".join(_capacity(c) for c in caps) or None
    valued = [(v, _unit_name(c)) for c, v in zip(caps, map(_places, caps)) if v is not None]
    service.capacity_value, service.capacity_unit = max(valued, key=lambda vu: vu[0], default=(None, ""))


def _read_place(loc: dict, version: str, where: str, problems: list[Problem]) -> Place | None:
    """A location as a :class:`Place`: its coordinates (both or neither), and its first physical address."""
    before = len(problems)
    lat = _coordinate(loc.get("latitude"), "latitude", where, problems)
    lon = _coordinate(loc.get("longitude"), "longitude", where, problems)
    if len(problems) > before:  # a coordinate that is not a number: the pair is unusable, said once
        lat = lon = None
    elif (lat is None) != (lon is None):
        problems.append(Problem(where, "latitude/longitude", "only one of the pair is given; ignored"))
        lat = lon = None
    addresses = _as_list(loc, "physical_addresses" if version == "v1" else "addresses", where, problems)
    physical = [a for a in addresses if isinstance(a, dict)
                and (_text(a.get("address_type")) or "physical").lower() == "physical"]
    chosen = physical[0] if physical else None
    postcode = _text(chosen.get("postal_code")) if chosen else None
    address = ", ".join(filter(None, (_text(chosen.get(k)) for k in ("address_1", "address_2", "city")))) \
        if chosen else None
    location_type = (_text(loc.get("location_type")) or "physical").lower()
    is_physical = location_type == "physical" and (lat is not None or postcode is not None)
    return Place(_text(loc.get("id")) or "", _text(loc.get("name")), lat, lon, postcode, address or None,
                 is_physical)


# ------------------------------------------------------------------ CSV packages
def read_csv_package(path: str | Path) -> Feed:
    """Read an HSDS CSV package (folder or zip, v1 or v3 file names) by joining its tables.

    Each row of ``services.csv`` is nested as a JSON feed's service
    (:class:`_Package`) and read as those are (:func:`feed_from_pages`); a
    service's record is its row in ``services.csv``.

    Raises
    ------
    FeedError
        If there is no ``services.csv`` or a file cannot be read as CSV.
    """
    p = Path(path)
    tables = _csv_tables(p)
    if "services" not in tables:
        raise FeedError(f"{p}: no services.csv; an HSDS CSV package needs services.csv (and locations.csv...)")
    problems: list[Problem] = []
    v3 = any(name in tables.get("_names", ()) for name in ("addresses.csv", "attributes.csv", "attribute.csv",
                                                             "taxonomy_terms.csv", "schedules.csv"))
    version = "v3" if v3 else "v1"
    package = _Package(tables)
    services = [package.service(s, version, problems) for s in tables["services"]]
    feed = feed_from_pages([{"contents" if v3 else "content": services}], source=str(p))
    feed.form = f"{version} CSV"
    feed.problems = problems + feed.problems
    for svc, row in zip(feed.services, range(2, len(services) + 2)):
        svc.record = row  # the spreadsheet row of services.csv
    return feed


class _Package:
    """The tables of an HSDS CSV package, indexed by the ids services are joined to them on."""

    def __init__(self, tables: dict[str, Any]) -> None:
        def rows(name: str) -> list[dict[str, str]]:
            return tables.get(name, [])

        def by(name: str, key: str) -> dict[str, list[dict[str, str]]]:
            out: dict[str, list[dict[str, str]]] = {}
            for r in rows(name):
                out.setdefault(r.get(key) or "", []).append(r)
            return out

        self.locations = {r.get("id"): r for r in rows("locations")}
        self.addresses = by("addresses", "location_id")
        self.taxonomy = {r.get("id"): r for r in rows("taxonomy")}
        self.sal_by_service = by("service_at_location", "service_id")
        self.terms_by_service: dict[str, list[dict[str, str]]] = {}
        for r in rows("service_taxonomy"):
            sid = r.get("service_id") or (r.get("link_id") if (r.get("link_type") or "service").lower() in
                                          ("service", "") or r.get("link_entity") == "service" else None)
            if sid:
                self.terms_by_service.setdefault(sid, []).append(r)
        self.organisations = {r.get("id"): r for r in rows("organizations")}
        self.units = {r.get("id"): r for r in rows("units")}
        self.eligibility = by("eligibility", "service_id")
        self.schedules = by("schedules", "service_id")
        self.areas = by("service_areas", "service_id")
        self.capacities = by("capacities", "service_id")

    def service(self, s: dict[str, str], version: str, problems: list[Problem]) -> dict[str, Any]:
        """A row of ``services.csv`` nested as a JSON feed of ``version`` gives a service."""
        sid = s.get("id") or ""
        item: dict[str, Any] = dict(s)
        if s.get("organization_id") in self.organisations:
            item["organization"] = self.organisations[s["organization_id"]]
        item["service_at_locations"] = self._locations(sid, version, problems)
        term_rows = self._terms(sid, problems)
        if version == "v1":
            item["service_taxonomys"] = [{"taxonomy": t} for t in term_rows]
            item["eligibilitys"] = self.eligibility.get(sid, [])
            item["regular_schedules"] = self.schedules.get(sid, [])
        else:
            item["attributes"] = [{"taxonomy_term": t} for t in term_rows]
            item["schedules"] = self.schedules.get(sid, [])
            item["capacities"] = [dict(c, unit=self.units.get(c.get("unit_id")) or {})
                                  for c in self.capacities.get(sid, [])]
        item["service_areas"] = self.areas.get(sid, [])
        return item

    def _locations(self, sid: str, version: str, problems: list[Problem]) -> list[dict[str, Any]]:
        """The service's ``service_at_locations``, each location with its addresses; missing ones are problems."""
        sals = []
        for sal in self.sal_by_service.get(sid, []):
            loc = self.locations.get(sal.get("location_id"))
            if loc is None:
                problems.append(Problem(f"service {sid!r}", "service_at_location.location_id",
                                        f"{sal.get('location_id')!r} is not in locations.csv; ignored"))
                continue
            loc = dict(loc)
            loc["physical_addresses" if version == "v1" else "addresses"] = self.addresses.get(loc.get("id"), [])
            sals.append({"location": loc})
        return sals

    def _terms(self, sid: str, problems: list[Problem]) -> list[dict[str, str]]:
        """The taxonomy terms linked to the service; a link to a missing term is a problem."""
        term_rows = []
        for link in self.terms_by_service.get(sid, []):
            tid = link.get("taxonomy_id") or link.get("taxonomy_term_id")
            term = self.taxonomy.get(tid)
            if term is None:
                problems.append(Problem(f"service {sid!r}", "taxonomy_id", f"{tid!r} is not in the taxonomy file; "
                                        "ignored"))
                continue
            term_rows.append(term)
        return term_rows


def _csv_tables(p: Path) -> dict[str, Any]:
    files: dict[str, bytes] = {}
    try:
        if p.is_dir():
            for f in p.iterdir():
                if f.suffix.lower() == ".csv":
                    files[f.name.lower()] = f.read_bytes()
        else:
            with zipfile.ZipFile(p) as z:
                for name in z.namelist():
                    if name.lower().endswith(".csv"):
                        files[Path(name).name.lower()] = z.read(name)
    except (zipfile.BadZipFile, OSError) as exc:
        raise FeedError(f"{p}: cannot be read as a folder or zip of CSV files ({exc})") from None
    tables: dict[str, Any] = {"_names": set(files)}
    for key, names in CSV_FILES.items():
        for name in names:
            if name in files:
                try:
                    text = files[name].decode("utf-8-sig")
                except UnicodeDecodeError:
                    text = files[name].decode("cp1252", "replace")
                tables[key] = [{k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in r.items() if k}
                               for r in csv.DictReader(io.StringIO(text, newline=""))]
                break
    return tables


# ------------------------------------------------------------------ values
class _TextOnly(HTMLParser):
    BREAKS = {"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "tr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.BREAKS:
            self.parts.append("\n")

    def handle_data(self, data):
        self.parts.append(data)


def html_to_text(value: Any) -> str:
    """Plain text from an HTML fragment: tags dropped, paragraphs and ``<br>`` as line breaks,
    entities (``&nbsp;``, ``&amp;``) decoded, runs of spaces collapsed."""
    if value is None:
        return ""
    parser = _TextOnly()
    parser.feed(html.unescape(str(value)) if "&lt;" in str(value) else str(value))
    parser.close()
    text = "".join(parser.parts).replace("\u00a0", " ")
    lines = [re.sub(r"[ \t\r\f\v]+", " ", ln).strip() for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _coordinate(value: Any, name: str, where: str, problems: list[Problem]) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        problems.append(Problem(where, name, f"{value!r} is not a number; the postcode is used instead"))
        return None
    return None if number != number else number


def _age(value: Any, current: float | None, pick, where: str, problems: list[Problem]) -> float | None:
    if value is None or value == "":
        return current
    try:
        age = float(value)
    except (TypeError, ValueError):
        problems.append(Problem(where, "minimum_age/maximum_age", f"{value!r} is not an age; ignored"))
        return current
    return age if current is None else pick(current, age)


def _date_text(value: Any) -> str | None:
    text = _text(value)
    if text and re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return text[:10]
    return None


def _free(costs: list[dict], fees: Any) -> str:
    """Whether a service is free: ``yes`` if any cost option is 0 or says free, ``no`` if all cost money."""
    from ..categories.filters import parse_free

    answers = []
    for c in costs:
        amount = c.get("amount")
        text = " ".join(str(c.get(k) or "") for k in ("option", "amount_description"))
        answer = parse_free(text) or (parse_free(str(amount)) if amount not in (None, "") else "")
        answers.append(answer)
    if "yes" in answers:
        return "yes"
    if answers and all(a == "no" for a in answers):
        return "no"
    return parse_free(fees) if isinstance(fees, str) else ""


def _places(c: dict) -> float | None:
    """A capacity's number of places: ``maximum`` if it is a positive number, else ``available``."""
    for key in ("maximum", "available"):
        try:
            v = float(c.get(key))
        except (TypeError, ValueError):
            continue
        if v > 0 and v == v and v != float("inf"):
            return v
    return None


def _unit_name(c: dict) -> str:
    """A capacity's unit: ``unit.name``, else ``unit_name``; ``""`` for none."""
    unit = c.get("unit")
    return str((unit.get("name") if isinstance(unit, dict) else c.get("unit_name")) or "").strip()


def _capacity(c: dict) -> str:
    unit_name = _unit_name(c)
    avail, maximum = c.get("available"), c.get("maximum")
    amount = f"{avail} of {maximum}" if maximum not in (None, "") else f"{avail}"
    return f"{amount} {unit_name}".strip()
