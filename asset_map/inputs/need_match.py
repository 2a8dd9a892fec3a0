"""Matching a need indicator's codes against the workspace's geography.

A need indicator (:mod:`asset_map.inputs.need`) is given by small-area code
(or area code). Its codes are matched against the population layer's small
areas, or the areas when there is no layer; an indicator matching none of
them is of another geography or census year and is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputFileError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from ..analysis.need import NeedIndicator


def match_need(indicator: "NeedIndicator", path: str | Path, layer: "gpd.GeoDataFrame | None",
               areas: "gpd.GeoDataFrame | None") -> None:
    """Check that the indicator's codes match the small areas of ``layer`` (or, without a layer, ``areas``),
    and add notes saying how many matched and which way the values go. With a layer, ``areas`` (if given)
    only serves to tell an indicator by area apart in the message.

    Raises
    ------
    InputFileError
        If no code matches (a different geography or year).
    """
    if layer is not None and len(layer):
        codes = list(dict.fromkeys(str(c) for c in layer["code"]))  # a split small area's parts share its code
        where = "small areas of the population layer"
    else:
        codes, where = [str(c) for c in areas["area_code"]], "areas"
    matched = sum(1 for c in codes if c in indicator.values)
    if matched == 0:
        raise InputFileError(
            f"{path}: none of its {len(indicator.values)} codes (e.g. {next(iter(indicator.values))!r}) is one of "
            f"the {len(codes)} {where} (e.g. {codes[0]!r}); {_advice(indicator, where, areas, layer)}"
        )
    indicator.notes.append(f"{matched} of {len(codes)} {where} have a value"
                           + ("" if matched == len(codes) else "; the others count as average need"))
    indicator.notes.append(
        f"{indicator.name!r}: {'higher' if indicator.higher_is_more_need else 'lower'} values mean more need")


def _advice(indicator: "NeedIndicator", where: str, areas, layer) -> str:
    """What to do about an indicator none of whose codes matched."""
    if where == "areas":
        return ("use an indicator for the same geography and census year; if its codes are small areas (LSOAs), "
                "load them first with `asset-map population load`")
    if areas is not None and any(str(c) in indicator.values for c in areas["area_code"]):
        return ("its codes are the areas' own, but with a population layer need is read by small area; "
                "give the indicator by small-area code")
    return "use an indicator for the same geography and census year"
