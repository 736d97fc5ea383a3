"""Reading an untrusted ZIP (a pack) safely, entirely in memory.

Python's ``zipfile`` fails open (SECURITY.md finding 6): duplicate names resolve to the last one,
nothing limits sizes or ratios, and 3.11.7 predates the overlapping-entry bomb fix. This reader
never extracts to disk, refuses links, directories, unusual names, duplicates (also differing only
by case), overlapping entries and encryption, and decompresses in bounded chunks that stop as soon
as an entry exceeds its declared size or the ratio limit — so a bomb is refused quickly with
bounded memory.
"""

from __future__ import annotations

import io
import itertools
import re
import stat
import struct
import zipfile
from dataclasses import dataclass

from app.core.errors import PackError

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}(/[A-Za-z0-9._-]{1,128}){0,3}$")
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class Limits:
    max_file: int = 200 * 1024 * 1024
    max_entries: int = 500
    max_entry: int = 100 * 1024 * 1024
    max_total: int = 500 * 1024 * 1024
    max_ratio: int = 100
    ratio_floor: int = 64 * 1024  # tiny entries (JSON of repeated spaces) may compress very well


DEFAULT_LIMITS = Limits()


class UnsafeZip(PackError):
    """The pack cannot be read safely; the message says why, in plain words."""


def read_zip(data: bytes, limits: Limits = DEFAULT_LIMITS) -> dict[str, bytes]:
    """Every entry's bytes by name, in archive order; raises ``UnsafeZip`` with the reason."""
    if len(data) > limits.max_file:
        raise UnsafeZip(f"the pack is larger than {limits.max_file // (1024 * 1024)} MB")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error) as exc:
        raise UnsafeZip(f"the file is not a readable ZIP archive ({exc})") from exc
    if len(infos) > limits.max_entries:
        raise UnsafeZip(f"the pack has {len(infos)} files; at most {limits.max_entries} are allowed")
    seen: set[str] = set()
    declared_total = 0
    for info in infos:
        _check_entry(info, seen, limits)
        declared_total += info.file_size
    if declared_total > limits.max_total:
        raise UnsafeZip("the pack's files would be too large when unpacked")
    _check_no_overlap(data, infos)
    out: dict[str, bytes] = {}
    total = 0
    for info in infos:
        content = _read_entry(zf, info, limits)
        total += len(content)
        if total > limits.max_total:
            raise UnsafeZip("the pack's files would be too large when unpacked")
        out[info.filename] = content
    return out


def _check_entry(info: zipfile.ZipInfo, seen: set[str], limits: Limits) -> None:
    name = info.filename
    shown = name.encode("unicode_escape").decode("ascii")[:80]
    if info.flag_bits & 0x1:
        raise UnsafeZip(f"the file “{shown}” in the pack is encrypted")
    mode = info.external_attr >> 16
    if info.is_dir() or name.endswith("/"):
        raise UnsafeZip(f"the pack holds a folder entry “{shown}”")
    if stat.S_ISLNK(mode) or (mode and not stat.S_ISREG(mode) and stat.S_IFMT(mode)):
        raise UnsafeZip(f"the pack holds a link or special file “{shown}”")
    if not NAME_RE.match(name) or ".." in name.split("/"):
        raise UnsafeZip(f"the pack holds a file with an unsafe name “{shown}”")
    folded = name.casefold()
    if folded in seen:
        raise UnsafeZip(f"the pack holds the file “{shown}” twice")
    seen.add(folded)
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise UnsafeZip(f"the file “{shown}” uses an unsupported compression method")
    if info.file_size > limits.max_entry:
        raise UnsafeZip(f"the file “{shown}” is larger than {limits.max_entry // (1024 * 1024)} MB")
    if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        raise UnsafeZip(f"the file “{shown}” is compressed suspiciously well (a possible ZIP bomb)")


def _check_no_overlap(data: bytes, infos: list[zipfile.ZipInfo]) -> None:
    """Each entry's local header and data must lie inside the file and not overlap the next."""
    spans: list[tuple[int, int]] = []
    for info in infos:
        start = info.header_offset
        if start < 0 or start + _LOCAL_HEADER.size > len(data):
            raise UnsafeZip("the pack's index points outside the file")
        fields = _LOCAL_HEADER.unpack_from(data, start)
        if fields[0] != b"PK\x03\x04":
            raise UnsafeZip("the pack's index does not match its contents")
        end = start + _LOCAL_HEADER.size + fields[9] + fields[10] + info.compress_size
        if end > len(data):
            raise UnsafeZip("a file in the pack is cut short")
        spans.append((start, end))
    spans.sort()
    for (_, end), (nxt, _) in itertools.pairwise(spans):
        if end > nxt:
            raise UnsafeZip("files in the pack overlap (a possible ZIP bomb)")


def _read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> bytes:
    cap = min(info.file_size, limits.max_entry)
    ratio_cap = max(limits.ratio_floor, limits.max_ratio * max(info.compress_size, 1))
    buf = bytearray()
    try:
        with zf.open(info) as fh:
            while True:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                buf += chunk
                if len(buf) > cap or len(buf) > ratio_cap:
                    raise UnsafeZip(
                        f"the file “{info.filename}” unpacks to more than it declares (a possible ZIP bomb)"
                    )
    except UnsafeZip:
        raise
    except Exception as exc:  # CRC errors, truncated deflate streams, …
        raise UnsafeZip(f"the file “{info.filename}” in the pack is damaged ({type(exc).__name__})") from exc
    if len(buf) != info.file_size:
        raise UnsafeZip(f"the file “{info.filename}” in the pack is damaged (wrong size)")
    return bytes(buf)


def write_zip(entries: list[tuple[str, bytes, bool]]) -> bytes:
    """A ZIP of ``(name, data, compress)`` entries in order, with fixed timestamps (reproducible)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, content, compress in entries:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            zf.writestr(info, content, compresslevel=6 if compress else None)
    return out.getvalue()
