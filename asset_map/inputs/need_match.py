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
    and add notes saying how many matched and which way the values go.

    Raises
    ------
    InputFileError
        If no code matches (a different geography or year).
    """
    if layer is not None and len(layer):
        codes, where = [str(c) for c in layer["code"]], "small areas of the population layer"
    else:
        codes, where = [str(c) for c in areas["area_code"]], "areas"
    matched = sum(1 for c in codes if c in indicator.values)
    if matched == 0:
        hint = ("; if its codes are small areas (LSOAs), load them first with `asset-map population load`"
                if where == "areas" else "")
        raise InputFileError(
            f"{path}: none of its {len(indicator.values)} codes is one of the {len(codes)} {where} "
            f"(e.g. {codes[0]!r}); use an indicator for the same geography and census year{hint}"
        )
    indicator.notes.append(f"{matched} of {len(codes)} {where} have a value"
                           + ("" if matched == len(codes) else "; the others count as average need"))
    indicator.notes.append(
        f"{indicator.name!r}: {'higher' if indicator.higher_is_more_need else 'lower'} values mean more need")
