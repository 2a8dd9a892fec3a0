"""Decoding CSV files as people save them: UTF-8, Windows-1252, Latin-1, UTF-16, or a mixture.

:func:`decode` finds the encoding of a whole file's bytes (or of the start of
a large one); :func:`decoded_lines` decodes a large file line by line the same
way, for reading in chunks. A workbook or zip archive saved with a text file's
name is refused, saying what it is.
"""

from __future__ import annotations

import codecs
import io
import re
from pathlib import Path
from typing import Iterator

from ..errors import InputFileError

# Bytes Windows-1252 leaves undefined: a file holding them is Latin-1 (ISO-8859-1).
_UNDEFINED_IN_CP1252 = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
# A well-formed UTF-8 multi-byte character.
_UTF8_CHAR = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def whole_lines(sample: bytes, total: int) -> bytes:
    """The start of a file cut after its last whole line, keeping UTF-16/32 code units whole."""
    if len(sample) >= total:
        return sample
    cut = sample.rfind(b"\n") + 1
    if sample.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        cut = (cut + 3) // 4 * 4
    elif sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or _utf16_without_bom(sample[:4096]):
        cut = (cut + 1) // 2 * 2
    return sample[:cut] or sample


def decoded_lines(fh, codec: str, other: set[int]) -> "Iterator[str]":
    """The lines of a binary file as text, as :func:`_decode_mixed` reads them: UTF-8 where a line is UTF-8,
    else ``codec`` (the file's encoding found from its start), else Windows-1252 (Latin-1 if it has bytes
    Windows-1252 does not define). In a UTF-8 file, the numbers of the other lines go into ``other``."""
    for n, raw in enumerate(fh, start=1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            if codec == "utf-8":
                other.add(n)
                line = _not_utf8(raw)
            else:
                try:
                    line = raw.decode(codec)
                except UnicodeDecodeError:
                    line = _not_utf8(raw)
        yield line.removeprefix("\ufeff") if n == 1 else line


def mixed_note(lines: list[int], encoding: str) -> str:
    """The note saying which lines (of a file, or of one chunk) were not in ``encoding`` and how they were read."""
    shown = ", ".join(str(n) for n in lines[:5]) + (f" and {len(lines) - 5} more" if len(lines) > 5 else "")
    what, read_as = ("UTF-8", "cp1252") if encoding == "utf-8" else (encoding, "latin-1")
    lines_text = f"line {shown} is not {what} and was" if len(lines) == 1 else f"lines {shown} are not {what} and were"
    return f"the file mixes encodings: {lines_text} read as {read_as}"


def decode(p: Path, raw: bytes, encoding: str | None) -> tuple[str, str, list[str]]:
    """The text of a CSV file, the encoding read and notes saying how.

    Without ``encoding``, in this order:

    * a workbook saved with a .csv name (zip or old .xls bytes) is refused;
    * a byte-order mark decides: UTF-8, UTF-16 (Excel's "Unicode Text"), UTF-32;
    * NUL bytes at every other position of the first 4 KB mean UTF-16 without
      a byte-order mark; other NUL bytes there mean a binary file, refused;
    * UTF-8;
    * a file of UTF-8 with some lines in another encoding (two files pasted
      together) is read line by line;
    * Windows-1252, the encoding Excel on Windows saves "CSV" in, unless the
      file holds bytes Windows-1252 does not define (0x81, 0x8D, 0x8F, 0x90,
      0x9D): then it is Latin-1 (ISO-8859-1), which defines every byte.
    """
    _refuse_workbook(p, raw)
    if encoding:
        try:
            # A byte-order mark is not part of the text, even when the encoding is given.
            codec = "utf-8-sig" if codecs.lookup(encoding).name == "utf-8" else encoding
        except LookupError:
            raise InputFileError(f"{p}: unknown encoding {encoding!r}; try utf-8 or cp1252") from None
        try:
            return raw.decode(codec), encoding, []
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            raise InputFileError(
                f"{p}, line {line}: cannot be read as {encoding}; save the file as 'CSV UTF-8' or pass --encoding"
            ) from None
    for bom, name in ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                      (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if raw.startswith(bom):
            how = " (as Excel saves 'Unicode Text')" if name == "utf-16" else ""
            return _decode_wide(p, raw, name, f"read as {name.upper()}{how}")
    wide = _utf16_without_bom(raw)
    if wide is not None:
        return _decode_wide(p, raw, wide, f"read as {wide.upper()} (the file has no byte-order mark)")
    if b"\x00" in raw[:4096]:
        raise InputFileError(
            f"{p}: looks like a binary file, not CSV text; open it in the program that made it "
            "and save it as 'CSV UTF-8'"
        )
    try:
        return raw.decode("utf-8-sig"), "utf-8", []
    except UnicodeDecodeError:
        pass
    if _UTF8_CHAR.search(raw):
        return _decode_mixed(raw)
    if any(b in raw for b in _UNDEFINED_IN_CP1252):
        return raw.decode("latin-1"), "latin-1", [
            "read as latin-1 (ISO-8859-1): the file is not UTF-8 and has bytes Windows-1252 does not use"]
    return raw.decode("cp1252"), "cp1252", ["read as cp1252 (the file is not UTF-8)"]


def _refuse_workbook(p: Path, raw: bytes) -> None:
    """Refuse a workbook or zip archive saved with a text file's name, saying what it is."""
    name = p.suffix or "(no suffix)"
    if raw.startswith(b"PK\x03\x04"):
        import zipfile

        try:
            names = zipfile.ZipFile(io.BytesIO(raw)).namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            names = None  # damaged: most likely a workbook all the same
        if names is not None and not any(n.startswith("xl/") for n in names):
            raise InputFileError(f"{p}: is a zip archive, not CSV text; unzip it and give the file inside")
        raise InputFileError(f"{p}: looks like an Excel workbook saved with a {name} name; rename it to .xlsx")
    if raw.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise InputFileError(
            f"{p}: looks like an old Excel .xls workbook saved with a {name} name; open it in Excel and "
            "save it as .xlsx or 'CSV UTF-8'"
        )


def _utf16_without_bom(raw: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when NUL is every other byte, as in mostly-ASCII UTF-16 text."""
    sample = raw[:4096]
    if len(sample) < 4 or b"\x00" not in sample:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) >= 0.6 * len(odd) and even.count(0) <= 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) >= 0.6 * len(even) and odd.count(0) <= 0.1 * len(odd):
        return "utf-16-be"
    return None


def _decode_wide(p: Path, raw: bytes, encoding: str, note: str) -> tuple[str, str, list[str]]:
    try:
        return raw.decode(encoding), encoding, [note]
    except UnicodeDecodeError:
        raise InputFileError(
            f"{p}: looks like {encoding.upper()} text but cannot be read as it; save the file as 'CSV UTF-8'"
        ) from None


def _not_utf8(line: bytes) -> str:
    """A line that is not UTF-8, read as Windows-1252, or Latin-1 if it has bytes Windows-1252 does not define."""
    return line.decode("latin-1" if any(b in line for b in _UNDEFINED_IN_CP1252) else "cp1252")


def _decode_mixed(raw: bytes) -> tuple[str, str, list[str]]:
    """Decode each line as UTF-8, else Windows-1252 (else Latin-1), noting the lines that were not UTF-8."""
    out, other = [], []
    for n, line in enumerate(raw.split(b"\n"), start=1):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            other.append(n)
            out.append(_not_utf8(line))
    return "\n".join(out).removeprefix("\ufeff"), "utf-8", [mixed_note(other, "utf-8")]
