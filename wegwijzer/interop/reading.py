"""Read import input safely: size limit, encodings, CSV dialects, zipped data packages."""

from __future__ import annotations

import codecs
import csv
import io
import os
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from .report import ImportFailed, nl

Source = str | os.PathLike[str] | bytes

#: Most files a data package may hold; HSDS has about twenty tables.
MAX_PACKAGE_FILES = 200


@dataclass
class Input:
    """What the user gave us: the bytes of one file, or the files of a data package."""

    name: str
    data: bytes | None = None
    #: For a data package (directory or zip): file name → bytes.
    files: dict[str, bytes] | None = None


def _too_big(size: int, max_bytes: int) -> ImportFailed:
    return ImportFailed(
        nl(
            "Het bestand is te groot (%(size).1f MB); de grens is %(limit).1f MB. Splits het "
            "bestand in delen, of laat de beheerder de grens (MAX_IMPORT_BYTES) verhogen.",
            size=size / 1_048_576,
            limit=max_bytes / 1_048_576,
        )
    )


def open_input(source: Source, max_bytes: int) -> Input:
    """Read ``source`` (bytes, a file or a data package directory) within ``max_bytes``."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        if len(data) > max_bytes:
            raise _too_big(len(data), max_bytes)
        return Input("upload", data=data)
    try:
        path = Path(source)
    except TypeError as exc:
        raise ImportFailed(nl("Geen bestand opgegeven.")) from exc
    name = path.name or str(path)
    try:
        if path.is_dir():
            return Input(name, files=_read_directory(path, max_bytes))
        size = path.stat().st_size
        if size > max_bytes:
            raise _too_big(size, max_bytes)
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)
    except FileNotFoundError as exc:
        raise ImportFailed(nl("Het bestand %(path)s bestaat niet.", path=str(path))) from exc
    except OSError as exc:
        raise ImportFailed(
            nl("Kan %(path)s niet lezen: %(reason)s.", path=str(path), reason=exc.strerror or exc)
        ) from exc
    if len(data) > max_bytes:
        raise _too_big(len(data), max_bytes)
    return Input(name, data=data)


def _read_directory(path: Path, max_bytes: int) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    total = 0
    entries = sorted(p for p in path.iterdir() if p.is_file())
    if len(entries) > MAX_PACKAGE_FILES:
        raise ImportFailed(
            nl(
                "De map %(path)s bevat te veel bestanden (%(n)s).",
                path=str(path),
                n=len(entries),
            )
        )
    for entry in entries:
        if entry.suffix.lower() not in (".csv", ".json"):
            continue
        total += entry.stat().st_size
        if total > max_bytes:
            raise _too_big(total, max_bytes)
        files[entry.name.lower()] = entry.read_bytes()
    return files


def is_zip(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def read_zip(data: bytes, max_bytes: int) -> dict[str, bytes]:
    """Return the CSV and JSON files of a zipped data package, refusing zip bombs."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = [i for i in archive.infolist() if not i.is_dir()]
            if len(infos) > MAX_PACKAGE_FILES:
                raise ImportFailed(
                    nl("Het zip-bestand bevat te veel bestanden (%(n)s).", n=len(infos))
                )
            files: dict[str, bytes] = {}
            total = 0
            for info in infos:
                base = info.filename.replace("\\", "/").rsplit("/", 1)[-1].lower()
                if not base.endswith((".csv", ".json")) or base.startswith("."):
                    continue
                with archive.open(info) as member:
                    # Read at most the remaining budget: the size in the header may lie.
                    content = member.read(max_bytes - total + 1)
                total += len(content)
                if total > max_bytes:
                    raise _too_big(total, max_bytes)
                if base in files:
                    raise ImportFailed(nl("Het zip-bestand bevat %(name)s twee keer.", name=base))
                files[base] = content
            return files
    except ImportFailed:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError) as exc:
        raise ImportFailed(
            nl("Het zip-bestand is beschadigd of onvolledig (%(reason)s).", reason=str(exc))
        ) from exc
    except (NotImplementedError, RuntimeError, ValueError, OSError) as exc:
        raise ImportFailed(
            nl(
                "Het zip-bestand kan niet worden uitgepakt (versleuteld of onbekende compressie: "
                "%(reason)s).",
                reason=str(exc),
            )
        ) from exc


def decode_text(data: bytes) -> tuple[str, str | None]:
    """Decode a text file; return the text and a Dutch warning when it was not UTF-8.

    UTF-8 with or without BOM and UTF-16 with BOM (Excel "Unicode-tekst") are read as is;
    anything else is read as Windows-1252 (Excel on Windows), then Latin-1, with a warning.
    """
    if data.startswith(codecs.BOM_UTF8):
        try:
            text = data[len(codecs.BOM_UTF8) :].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFailed(
                nl(
                    "Het bestand zegt UTF-8 te zijn, maar byte %(n)s is geen geldige UTF-8.",
                    n=exc.start,
                )
            ) from exc
        warning = None
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ImportFailed(nl("Het bestand is geen geldige UTF-16-tekst.")) from exc
        warning = None
    else:
        try:
            text = data.decode("utf-8")
            warning = None
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
                encoding = "Windows-1252"
            except UnicodeDecodeError:
                text = data.decode("latin-1")
                encoding = "Latin-1"
            warning = nl(
                "Het bestand is niet als UTF-8 opgeslagen; het is gelezen als %(encoding)s. "
                "Controleer letters als é, ë en ï. Sla het bestand bij voorkeur op als "
                "'CSV UTF-8'.",
                encoding=encoding,
            )
    # A stray control character in one cell is reported at its row and field (checks.py);
    # a file full of them is not text at all (binary, or UTF-16 without its BOM).
    if _mostly_control(text):
        raise ImportFailed(
            nl(
                "Dit is geen tekstbestand (of de tekenset is onbekend). Sla het op als CSV "
                "(UTF-8) of JSON."
            )
        )
    return text, warning


def _mostly_control(text: str) -> bool:
    sample = text[:4096]
    if not sample:
        return False
    bad = sum(1 for c in sample if ord(c) < 32 and c not in "\t\r\n\f")
    return bad > len(sample) // 20


@dataclass
class CsvTable:
    """A CSV file read into a header and rows, each with its spreadsheet row number.

    The row number is what a spreadsheet shows: the header is row 1 and every record, even one
    whose cells hold line breaks, is one row (so it is not the line number in the file).
    """

    name: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    delimiter: str


def _pick_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(text: str, name: str) -> CsvTable:
    """Parse CSV text with ``;``, ``,`` or tab as delimiter (taken from the header line)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    delimiter = None
    skip_sep_line = False
    # Excel writes "sep=;" as the first line when asked to keep the delimiter.
    if first.lower().startswith("sep=") and len(first.strip()) == 5:
        delimiter = first.strip()[4]
        skip_sep_line = True
    if delimiter is None:
        delimiter = _pick_delimiter(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    row_no = 0
    try:
        for record in reader:
            if skip_sep_line:
                # Excel reads "sep=;" as a setting, not as a row.
                skip_sep_line = False
                continue
            row_no += 1
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = [cell.strip() for cell in record]
                continue
            rows.append((row_no, record))
    except csv.Error as exc:
        raise ImportFailed(
            nl(
                "Het CSV-bestand kan niet worden gelezen vanaf rij %(row)s (regel %(line)s van "
                "het bestand): %(reason)s.",
                row=row_no + 1,
                line=reader.line_num,
                reason=str(exc),
            ),
            row=row_no + 1,
            file=name,
        ) from exc
    if header is None:
        raise ImportFailed(nl("Het CSV-bestand is leeg (geen kopregel gevonden)."), file=name)
    return CsvTable(name, header, rows, delimiter)
