"""Reading an untrusted ZIP (a pack) safely, from a file or from memory, with bounded work.

Python's ``zipfile`` fails open (SECURITY.md finding 6): duplicate names resolve to the last one,
nothing limits sizes or ratios, and 3.11.7 predates the overlapping-entry bomb fix. ``SafeZip``
never extracts to disk and checks the whole layout before any entry is read:

* strict archives (issue 17): the first local header is at byte 0, each entry (header, name,
  extra field, data, descriptor) ends exactly where the next begins, the last ends where the
  central directory starts, the end record closes the file, and there is no archive comment — so
  no unsigned bytes can hide before, between or after the entries;
* links, folders, unusual names, duplicates (also differing only by case), encryption and
  unknown compression are refused; declared sizes and ratios are limited.

Entries are then read or hashed in bounded chunks that stop as soon as an entry exceeds its
declared size or the ratio limit, so a bomb is refused quickly, and a large attachment is hashed
without ever being held in memory. ``window`` gives a stored entry (the PDF) as a seekable view of
the underlying file, again without a copy.
"""

from __future__ import annotations

import hashlib
import io
import re
import stat
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

from app.core.errors import PackError
from app.core.files import window

NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}(/[A-Za-z0-9._-]{1,128}){0,3}$")
_LOCAL_HEADER = struct.Struct("<4sHHHHHIIIHH")
_END = struct.Struct("<4sHHHHIIH")
_CHUNK = 64 * 1024
MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_file: int = 200 * MB
    max_entries: int = 500
    max_entry: int = 100 * MB
    max_total: int = 500 * MB
    max_ratio: int = 100
    ratio_floor: int = 64 * 1024  # tiny entries (JSON of repeated spaces) may compress very well


DEFAULT_LIMITS = Limits()


class UnsafeZip(PackError):
    """The pack cannot be read safely; the message says why, in plain words."""


class SafeZip:
    """An untrusted ZIP whose layout has been checked; entries are read on demand, bounded."""

    def __init__(self, fh: IO[bytes], limits: Limits = DEFAULT_LIMITS) -> None:
        self._fh = fh
        self.limits = limits
        self.size = fh.seek(0, io.SEEK_END)
        if self.size > limits.max_file:
            raise UnsafeZip(f"the pack is larger than {limits.max_file // MB} MB")
        cd_offset = _check_end(fh, self.size)
        try:
            fh.seek(0)
            self._zf = zipfile.ZipFile(fh)
            infos = self._zf.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, struct.error) as exc:
            raise UnsafeZip(f"the file is not a readable ZIP archive ({exc})") from exc
        if len(infos) > limits.max_entries:
            raise UnsafeZip(f"the pack has {len(infos)} files; at most {limits.max_entries} are allowed")
        seen: set[str] = set()
        for info in infos:
            _check_entry(info, seen, limits)
        if sum(i.file_size for i in infos) > limits.max_total:
            raise UnsafeZip("the pack's files would be too large when unpacked")
        self._data_at = _check_layout(fh, infos, cd_offset, self.size)
        self.infos = {i.filename: i for i in infos}

    @classmethod
    def of_bytes(cls, data: bytes, limits: Limits = DEFAULT_LIMITS) -> SafeZip:
        if len(data) > limits.max_file:  # before wrapping: the check must not depend on the copy
            raise UnsafeZip(f"the pack is larger than {limits.max_file // MB} MB")
        return cls(io.BytesIO(data), limits)

    @property
    def names(self) -> list[str]:
        """Entry names in archive order."""
        return list(self.infos)

    def declared_size(self, name: str) -> int:
        return self.infos[name].file_size

    def chunks(self, name: str) -> Iterator[bytes]:
        """The entry's bytes in chunks, stopped as soon as it unpacks to more than it declares."""
        info = self.infos[name]
        cap = min(info.file_size, self.limits.max_entry)
        ratio_cap = max(self.limits.ratio_floor, self.limits.max_ratio * max(info.compress_size, 1))
        total = 0
        try:
            with self._zf.open(info) as fh:
                while chunk := fh.read(_CHUNK):
                    total += len(chunk)
                    if total > cap or total > ratio_cap:
                        raise UnsafeZip(
                            f"the file “{_shown(name)}” unpacks to more than it declares "
                            "(a possible ZIP bomb)"
                        )
                    yield chunk
        except UnsafeZip:
            raise
        except Exception as exc:  # CRC errors, truncated deflate streams, …
            raise UnsafeZip(
                f"the file “{_shown(name)}” in the pack is damaged ({type(exc).__name__})"
            ) from exc
        if total != info.file_size:
            raise UnsafeZip(f"the file “{_shown(name)}” in the pack is damaged (wrong size)")

    def read(self, name: str, max_bytes: int | None = None) -> bytes:
        """The whole entry (refused when it declares more than ``max_bytes``)."""
        if max_bytes is not None and self.infos[name].file_size > max_bytes:
            raise UnsafeZip(f"the file “{_shown(name)}” is larger than {max_bytes:,} bytes")
        return b"".join(self.chunks(name))

    def digest(self, name: str, limit: int | None = None) -> tuple[str, int]:
        """(SHA-256 hex, size) of the first ``limit`` bytes of the entry (all of it by default),
        streamed: the entry is never held in memory."""
        h = hashlib.sha256()
        size = 0
        for chunk in self.chunks(name):
            if limit is not None and size + len(chunk) > limit:
                chunk = chunk[: limit - size]
            h.update(chunk)
            size += len(chunk)
        return h.hexdigest(), size

    def window(self, name: str) -> IO[bytes]:
        """A seekable reader of the entry: a view of the file for a stored entry (no copy, after
        its CRC has been checked by reading it once), the unpacked bytes otherwise."""
        info = self.infos[name]
        if info.compress_type != zipfile.ZIP_STORED:
            return io.BytesIO(self.read(name))
        for _ in self.chunks(name):  # the CRC and size checks, streamed
            pass
        return window(self._fh, self._data_at[name], info.file_size)


def read_zip(data: bytes, limits: Limits = DEFAULT_LIMITS) -> dict[str, bytes]:
    """Every entry's bytes by name, in archive order; raises ``UnsafeZip`` with the reason."""
    z = SafeZip.of_bytes(data, limits)
    out: dict[str, bytes] = {}
    for name in z.names:
        out[name] = z.read(name)
    return out


def _check_end(fh: IO[bytes], size: int) -> int:
    """The central directory's offset, from an end record that closes the file exactly."""
    if size < _END.size:
        raise UnsafeZip("the file is not a readable ZIP archive (too short)")
    fh.seek(size - _END.size)
    end = _END.unpack(fh.read(_END.size))
    if end[0] != b"PK\x05\x06":
        # An end record further back means a comment or bytes appended after the archive.
        fh.seek(max(0, size - 65_557))
        tail = fh.read()
        if b"PK\x05\x06" in tail:
            raise UnsafeZip("data follows the end of the archive (or it has a comment): bytes nobody signed")
        raise UnsafeZip("the file is not a readable ZIP archive (no end record)")
    _sig, disk, cd_disk, _n_disk, count, cd_size, cd_offset, comment = end
    if comment:
        raise UnsafeZip("the archive has a comment: bytes nobody signed")
    if disk or cd_disk or cd_offset == 0xFFFFFFFF or count == 0xFFFF:
        raise UnsafeZip("the archive is split or uses ZIP64, which packs never do")
    actual = size - _END.size - cd_size  # where the index really starts
    if actual > cd_offset:  # the usual shape of a script or document glued in front of a ZIP
        raise UnsafeZip(f"{actual - cd_offset} bytes are hidden before the first file: bytes nobody signed")
    if actual < cd_offset:
        raise UnsafeZip("the archive's index is not where its end record says (damaged or altered)")
    return int(cd_offset)


def _check_layout(fh: IO[bytes], infos: list[zipfile.ZipInfo], cd_offset: int, size: int) -> dict[str, int]:
    """Entries must tile the file from byte 0 to the central directory, with no gaps or overlaps.

    Returns where each entry's data starts."""
    spans: list[tuple[int, int, str]] = []
    data_at: dict[str, int] = {}
    for info in infos:
        start = info.header_offset
        if start < 0 or start + _LOCAL_HEADER.size > size:
            raise UnsafeZip("the pack's index points outside the file")
        fh.seek(start)
        fields = _LOCAL_HEADER.unpack(fh.read(_LOCAL_HEADER.size))
        if fields[0] != b"PK\x03\x04":
            raise UnsafeZip("the pack's index does not match its contents")
        data_at[info.filename] = start + _LOCAL_HEADER.size + fields[9] + fields[10]
        end = data_at[info.filename] + info.compress_size
        if info.flag_bits & 0x08:  # a data descriptor follows the data (optional signature)
            fh.seek(end)
            end += 16 if fh.read(4) == b"PK\x07\x08" else 12
        if end > cd_offset:
            raise UnsafeZip("a file in the pack runs into the archive's index (cut short or overlapping)")
        spans.append((start, end, info.filename))
    spans.sort()
    position = 0
    for start, end, _name in spans:
        if start < position:
            raise UnsafeZip("files in the pack overlap (a possible ZIP bomb)")
        if start > position:
            where = "before the first file" if position == 0 else "between files"
            raise UnsafeZip(f"{start - position} bytes are hidden {where} in the pack: bytes nobody signed")
        position = end
    if position != cd_offset:
        raise UnsafeZip("bytes are hidden after the last file in the pack: bytes nobody signed")
    return data_at


def _check_entry(info: zipfile.ZipInfo, seen: set[str], limits: Limits) -> None:
    name = info.filename
    shown = _shown(name)
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
        raise UnsafeZip(f"the file “{shown}” is larger than {limits.max_entry // MB} MB")
    if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
        raise UnsafeZip(f"the file “{shown}” is compressed suspiciously well (a possible ZIP bomb)")


def _shown(name: str) -> str:
    return name.encode("unicode_escape").decode("ascii")[:80]


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
