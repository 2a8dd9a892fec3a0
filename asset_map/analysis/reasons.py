"""The reason column: a plain-English sentence saying why each row's level is what it is.

The sentence follows the rule that set the level (:mod:`asset_map.analysis.levels`):
no asset anywhere, none within reach, too few residents within reach
(``1 − coverage`` beyond the catchment), or a rate under half the study
area's; for an ``ok`` row, the coverage and the rate. Services serving the
area from elsewhere add a second sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..geo import distance_text
from .levels import LOW_COVERAGE

if TYPE_CHECKING:  # pragma: no cover
    from ..categories.taxonomy import Category
    from .rows import StudyFigures


@dataclass(frozen=True)
class Wording:
    """What the reasons of one category's rows share (worked out once per category)."""

    label: str
    who: str
    catch: str
    s_rate: str
    study: StudyFigures

    @classmethod
    def of(cls, cat: Category, study: StudyFigures, reach: str = "") -> "Wording":
        """``reach`` is the row's reach ("10 min walk", "straight-line 800 m"; empty: the catchment distance)."""
        s_rate = f"{_per10k(study.rate_per_10k)} per 10,000" if study.rate_per_10k is not None else "no rate"
        return cls(cat.label.lower(), cat.target.phrase, reach_phrase(reach) or cat.catchment_text, s_rate, study)

    def reason(self, level: str, area_name: str, count: int, cov: float, rate: float | None) -> str:
        """One plain-English sentence saying why the level of the row in ``area_name`` is what it is."""
        label, who, catch, s_rate, study = self.label, self.who, self.catch, self.s_rate, self.study
        if level == "none" and study.assets == 0:
            return (f"No {label} asset anywhere in the study area: a gap, or missing from the lists "
                    f"imported? (nothing within {catch} of {area_name}).")
        if level == "none":
            return (f"No {label} asset in {area_name} or within {catch} of it "
                    f"(study area: {_n_assets(study.assets)}, {s_rate}).")
        if cov < LOW_COVERAGE:
            return (f"{_pct(1 - cov)} of {who} in {area_name} live more than {catch} from any {label} asset "
                    f"(study area: {_pct(1 - study.coverage)}).")
        if level == "low":
            return (f"{_n_assets(count).replace(' asset', f' {label} asset')} in {area_name}, "
                    f"{_per10k(rate)} per 10,000 {who}: "
                    f"under half the study-area rate of {s_rate}.")
        rate_txt = f"{_per10k(rate)} per 10,000 {who}" if rate is not None else _n_assets(count)
        return (f"{_pct(cov)} of {who} within {catch} of {article(label)} {label} asset; {rate_txt} "
                f"(study area {s_rate}).")


def served_text(n: int, area_name: str, located: float, cov: float) -> str:
    """What services serving the area from elsewhere add to its coverage."""
    if n == 0:
        return ""
    them = "service serves" if n == 1 else "services serve"
    return (f" {n} {them} {area_name} without being located there (borough-wide, online or by area): "
            f"coverage {_pct(cov)} with them, {_pct(located)} from located assets alone.")


def reach_phrase(reach: str) -> str:
    """How a reach reads in a sentence: ``a 10 min walk`` ("within a 10 min walk of"), ``800 m``."""
    if not reach:
        return ""
    if reach.startswith("straight-line "):
        return reach.removeprefix("straight-line ")
    return f"{article(reach)} {reach}"


#: A row's reason names the barrier effect from this share, when it is also :data:`BARRIER_ABOVE` times the
#: study area's: the ordinary detours of streets cut off some everywhere (10-20% on a grid of streets), a
#: river or a motorway more in the areas beside it.
BARRIER_MENTION = 0.10
BARRIER_ABOVE = 1.5


def barrier_text(share: float | None, study: float | None, who: str, reach: str, straight_m: float) -> str:
    """The sentence naming the barrier effect (:mod:`asset_map.analysis.network_reach`), or ``""`` when it is
    under :data:`BARRIER_MENTION` or under :data:`BARRIER_ABOVE` × the study area's ``study``."""
    if share is None or not share >= BARRIER_MENTION or (study is not None and not share >= BARRIER_ABOVE * study):
        return ""
    d = distance_text(straight_m)
    versus = f" (study area: {_pct(study)})" if study is not None else ""
    return (f" Barrier: {_pct(share)} of {who} here{versus} live within {d} of one in a straight line but not "
            f"within {reach_phrase(reach)} by street (a river, railway, main road or missing path between).")


def article(word: str) -> str:
    """``an`` before a vowel sound (``an older people's``, ``an arts``), else ``a`` (``a user``, ``a one-off``)."""
    w = word.strip().lower()
    if w.startswith(("one", "once", "uni", "use", "usu", "eu", "ew")):
        return "a"
    return "an" if w[:1] in ("a", "e", "i", "o", "u") or w.startswith(("hour", "honest")) else "a"


def _pct(x: float) -> str:
    """A share as a whole percentage."""
    return f"{x:.0%}"


def _per10k(rate: float) -> str:
    """A rate per 10,000 with one decimal, or two when it would otherwise read 0.0."""
    return f"{rate:.2f}" if 0 < rate < 0.05 else f"{rate:.1f}"


def _n_assets(n: int) -> str:
    """``1 asset``, ``2 assets``."""
    return f"{n} asset" if n == 1 else f"{n} assets"
