"""The matching form of words: category words, names (:func:`normalise_word`), one or a whole column at a time."""

from __future__ import annotations

import re

_APOSTROPHES = re.compile(r"['\u2018\u2019`]")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def normalise_word(text: str) -> str:
    """Return the matching form of a category word.

    Lower case; ``&`` read as "and"; apostrophes dropped; every other run of
    non-alphanumeric characters becomes one space; accents on é are kept as
    plain e.
    """
    text = text.lower().replace("&", " and ").replace("é", "e")
    text = _APOSTROPHES.sub("", text)
    return _NON_WORD.sub(" ", text).strip()


def normalise_words(texts: list) -> list[str]:
    """:func:`normalise_word` of each text, a whole column at a time (pyarrow) for ASCII texts; others (and a
    column that is not all text) one distinct value at a time."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    column = pa.array(texts, type=pa.string())  # texts: strings
    text = pc.replace_substring(pc.ascii_lower(column), "&", " and ")
    text = pc.replace_substring_regex(text, "['`]", "")
    text = pc.utf8_trim(pc.replace_substring_regex(text, "[^0-9a-z]+", " "), " ")
    out = text.to_pylist()
    seen: dict[str, str] = {}
    for i in np.flatnonzero(~pc.string_is_ascii(column).to_numpy(zero_copy_only=False)).tolist():
        t = texts[i]
        out[i] = seen[t] if t in seen else seen.setdefault(t, normalise_word(t))
    return out
