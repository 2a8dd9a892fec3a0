"""The gap inputs a large or street-network workspace keeps up to date, so that ``gaps`` does not read the register.

Everything :func:`asset_map.analysis.gaps.compute_gaps` derives from the
assets, the population and the network before it ranks the rows (every
area × category's counts, coverage, accessibility, need-weighted scores and
levels at the catchment, half and double it: :class:`~asset_map.analysis.gaps.MeasuredGaps`),
and the evidence of missing data its confidence counts
(:class:`~asset_map.analysis.confidence.Evidence`, with each (area, category)'s
verification dates rather than a stale count, so that any date and any
``--stale-days`` can be judged from it), are derived by :func:`refresh` after
every command that changes a workspace of at least :data:`MIN_ASSETS` assets or
with a street network (:func:`worth_keeping`),
and kept in its bookkeeping table (:data:`asset_map.store.base.STATE_TABLE`) with the
workspace's changes count. :func:`stored_report` ranks and judges them as
``gaps`` would, without a filter, a second level or ``--straight-line``,
only while the count is still the workspace's: any later change, by asset-map
or by another program (QGIS), makes them out of date and ``gaps`` computes
everything again. The rows are the same as computed afresh
(tests/test_gap_state.py compares every field).

The value is a NumPy ``.npz`` archive (read with ``allow_pickle=False``: a
workspace from someone else cannot run code): the figures and the evidence's
counters as arrays (a counter's keys as indices into one list of values), and
the rest (area codes and names, category ids, study-area figures, notes, that
list) as one JSON text. ``what_if`` takes its "before" from them too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, fields
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis.confidence import Evidence
    from ..analysis.gaps import GapReport, MeasuredGaps
    from ..analysis.need import NeedIndicator
    from ..categories.taxonomy import Taxonomy
    from ..store import Store, Table

#: The bookkeeping row's key.
KEY = "gap_inputs"
#: What a progress display says while they are derived.
STEP = "keeping the gap inputs up to date"
#: The layout of the value; a value of another layout is not used.
FORMAT = 1
#: Workspaces with fewer assets (and no street network) compute their gaps in well under a second and keep nothing.
MIN_ASSETS = 20_000
_SCALES = ("half", "double")


def refresh(store: "Store", taxonomy: "Taxonomy", need: "NeedIndicator | None", study_names: set[str],
            progress: "Callable[[str, int, int], None] | None" = None) -> bool:
    """Derive the gap inputs of the workspace as it is now and keep them (one transaction); whether it did.

    Nothing is kept for a workspace without areas or whose gaps are quick to
    compute (:func:`worth_keeping`), and nothing is kept if the workspace
    changed while they were derived. ``progress`` (as an import's) hears the
    step's name when it starts.
    """
    from .evidence import gather_evidence, stale_days_or_default
    from .gap_inputs import gap_measures, read_gap_inputs

    areas = store.read("areas")
    if areas is None or not len(areas) or not worth_keeping(store):
        if store.state(KEY) is not None:  # kept before, no longer worth it: not left behind, out of date
            with store.transaction() as tx:
                tx.put_state(KEY, None, store.changes())
        return False
    if progress is not None:
        progress(STEP, 0, 0)
    at = store.changes()
    if at < 0:  # tables changed outside asset-map (or a workspace from before the count): recorded as they are first
        with store.transaction():
            pass
        at = store.changes()
    inputs = read_gap_inputs(store, areas, taxonomy, None, study_names, lean=True)
    measured = gap_measures(store, inputs, inputs.assets, need)
    ev = gather_evidence(store, areas, inputs.everything, taxonomy=taxonomy, study_names=study_names,
                         stale_days=stale_days_or_default(None))
    with store.transaction() as tx:
        tx.put_state(KEY, encode(measured, ev), at)
    return True


def worth_keeping(store: "Store") -> bool:
    """Whether ``store``'s gaps take long enough to compute to keep their inputs: it has :data:`MIN_ASSETS`
    assets or more, or any assets and a street network (routing every catchment takes seconds on a borough's
    streets: bench/network_borough.py)."""
    assets = store.count("assets") or 0
    return assets >= MIN_ASSETS or (assets > 0 and bool(store.count("network_edges")))


def stored_report(store: "Store", taxonomy: "Taxonomy", stale_days: int | None, *,
                  robust: bool = True, at: int | None = None) -> "GapReport | None":
    """The gaps of the whole workspace from its kept inputs (ranked, and judged at today's date and
    ``stale_days``; without the robustness rankings unless ``robust``), or ``None`` when there are none up to
    date. ``at``: the changes count (:meth:`~asset_map.store.base.Store.changes`) at which the caller read
    tables to set beside these gaps (a what-if's "after"); ``None`` too when a change has landed since."""
    from dataclasses import replace

    from ..analysis.confidence import assess, stale_limit
    from ..analysis.gaps import rank_gaps
    from .evidence import stale_days_or_default

    found, now = store.state(KEY), store.changes()
    if found is None or found[1] is None or found[0] != now or (at is not None and at != now):
        return None
    decoded = decode(found[1], taxonomy)
    if decoded is None:
        return None
    measured, ev = decoded
    days = stale_days_or_default(stale_days)
    ev.stale = ev.stale_at(stale_limit(days))
    return assess(rank_gaps(measured if robust else replace(measured, alt={})), ev, stale_days=days)


def encode(measured: "MeasuredGaps", ev: "Evidence") -> bytes:
    """The value kept: :func:`decode` gives back ``measured`` and ``ev`` (less ``ev.stale``)."""
    import io
    import json

    import numpy as np

    arrays: dict[str, Any] = {"code_rank": np.asarray(measured.code_rank)}
    per_category = []
    for k, base in enumerate(measured.base):
        per_category.append(_measures(arrays, f"base/{k}", base))
        for scale in _SCALES:
            if scale in measured.alt:
                _measures(arrays, f"{scale}/{k}", measured.alt[scale][k])
    meta = {
        "format": FORMAT, "version": _version(), "codes": list(measured.codes), "names": list(measured.names),
        "categories": [c.id for c in measured.cats], "scales": [s for s in _SCALES if s in measured.alt],
        "population_loaded": measured.population_loaded, "method": measured.method,
        "with_layer": measured.with_layer, "need_name": measured.need_name, "notes": measured.notes,
        "reach": measured.reach, "straight_m": measured.straight_m, "base": per_category,
        "evidence": _evidence_json(ev, arrays),
    }
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode("utf-8"), dtype=np.uint8)
    out = io.BytesIO()
    np.savez(out, **arrays)
    return out.getvalue()


def decode(value: bytes, taxonomy: "Taxonomy") -> "tuple[MeasuredGaps, Evidence] | None":
    """:func:`encode`'s ``measured`` and ``ev``, with the taxonomy's categories; ``None`` when the value is of
    another layout, was written by another version of asset-map (whose figures may differ), is for other
    categories, or cannot be read."""
    import io
    import json
    import zipfile

    import numpy as np

    from ..analysis.gaps import MeasuredGaps
    from ..analysis.measures import CategoryMeasures
    from ..analysis.rows import StudyFigures

    try:
        with np.load(io.BytesIO(value), allow_pickle=False) as archive:
            meta = json.loads(archive["meta"].tobytes().decode("utf-8"))
            cats = list(taxonomy)
            if (meta.get("format"), meta.get("version"), meta.get("categories")) != (
                    FORMAT, _version(), [c.id for c in cats]):
                return None
            data = {name: archive[name] for name in archive.files if name != "meta"}
    except (ValueError, KeyError, OSError, zipfile.BadZipFile):  # not a value this version wrote, or damaged
        return None

    def measures(prefix: str, scalars: dict[str, Any] | None) -> CategoryMeasures:
        found = {name.split("/", 2)[2]: a for name, a in data.items() if name.startswith(prefix + "/")}
        extra = {} if scalars is None else {"target_text": scalars["target_text"], "study": (
            StudyFigures(**scalars["study"]) if scalars["study"] is not None else None)}
        return CategoryMeasures(**found, **extra)

    base = [measures(f"base/{k}", scalars) for k, scalars in enumerate(meta["base"])]
    alt = {s: [measures(f"{s}/{k}", None) for k in range(len(cats))] for s in meta["scales"]}
    measured = MeasuredGaps(meta["codes"], meta["names"], data["code_rank"], cats, base, alt,
                            meta["population_loaded"], meta["method"], meta["with_layer"], meta["need_name"],
                            meta["notes"], meta["reach"], meta["straight_m"])
    return measured, _evidence(meta["evidence"], data)


def _version() -> str:
    """The installed asset-map's version (a value kept by another version is not used: its figures may differ)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("asset-map")
    except PackageNotFoundError:  # run from a source tree without installing
        return "unknown"


def _measures(arrays: dict[str, Any], prefix: str, m: Any) -> dict[str, Any]:
    """Put ``m``'s arrays into ``arrays`` under ``prefix/``; its text and study-area figures, as JSON."""
    for f in fields(m):
        value = getattr(m, f.name)
        if f.name not in ("target_text", "study") and value is not None:
            arrays[f"{prefix}/{f.name}"] = value
    return {"target_text": m.target_text, "study": asdict(m.study) if m.study is not None else None}


def _evidence_json(ev: "Evidence", arrays: dict[str, Any]) -> dict[str, Any]:
    """The evidence as JSON, each counter's keys and counts put into ``arrays`` as columns (each part of a key
    as indices into one list of the distinct values, which the JSON holds)."""
    import numpy as np

    out: dict[str, Any] = {"counters": {}}
    values: dict[tuple[str, Any], int] = {}
    vocabulary: list[Any] = []

    def index(v: Any) -> int:
        key = (type(v).__name__, v)
        if key not in values:
            values[key] = len(vocabulary)
            vocabulary.append(v)
        return values[key]

    for f in fields(ev):
        value = getattr(ev, f.name)
        if f.name == "stale":
            continue
        if not isinstance(value, Counter):
            out[f.name] = value
            continue
        keys = list(value)
        tuples = bool(keys) and isinstance(keys[0], tuple)
        parts = list(zip(*keys)) if tuples else [keys]
        out["counters"][f.name] = {"tuples": tuples, "parts": len(parts) if keys else 0}
        for k, part in enumerate(parts if keys else []):
            arrays[f"evidence/{f.name}/{k}"] = np.array([index(v) for v in part], dtype=np.int64)
        arrays[f"evidence/{f.name}/counts"] = np.array([value[k] for k in keys])
    out["vocabulary"] = vocabulary
    return out


def _evidence(data: dict[str, Any], arrays: dict[str, Any]) -> "Evidence":
    """:func:`_evidence_json` read back."""
    import numpy as np

    from ..analysis.confidence import Evidence

    ev = Evidence()
    vocabulary = np.array(data["vocabulary"] + [None], dtype=object)
    for f in fields(ev):
        if f.name in data["counters"]:
            shape = data["counters"][f.name]
            counts = arrays[f"evidence/{f.name}/counts"].tolist()
            parts = [vocabulary[arrays[f"evidence/{f.name}/{k}"]].tolist() for k in range(shape["parts"])]
            keys = list(zip(*parts)) if shape["tuples"] else (parts[0] if parts else [])
            setattr(ev, f.name, Counter(dict(zip(keys, counts))))
        elif f.name in data:
            setattr(ev, f.name, data[f.name])
    return ev
