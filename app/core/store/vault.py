"""The vault: one SQLCipher file, opened with hardened settings, never replaced by an empty one.

Unlock order matters (SECURITY.md findings 1–3): refuse a missing, empty or truncated file before
keying; pass the key with ``set_key`` (never in SQL text); set the cipher pragmas; then run
``quick_check`` and ``cipher_integrity_check`` before anything reads a record. A wrong key fails
on page 1, before SQLite learns the file is in WAL mode, so a failed unlock writes nothing.
"""

from __future__ import annotations

import base64
import contextlib
import glob
import hashlib
import hmac
import json
import os
import secrets
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlcipher3 import dbapi2 as sqlcipher

from app.core.clock import SYSTEM_CLOCK, Clock, iso_now
from app.core.errors import (
    UsageError,
    VaultBusy,
    VaultDamaged,
    VaultError,
    VaultLocked,
    VaultMissing,
    WrongPassphrase,
)
from app.core.store import audit as audit_log
from app.core.store import integrity, lookaside
from app.core.store.integrity import RecordProblem
from app.core.store.policy import check_passphrase, normalise
from app.core.store.schema import MIGRATIONS, SCHEMA_VERSION
from app.core.store.throttle import attempt

KDF_ITER = 600_000  # PBKDF2-HMAC-SHA512; ~0.6 s per unlock on the 2-core development machine
PAGE_SIZE = 4096  # SQLCipher 4 default; a file that is not a whole number of pages is damaged
BUSY_TIMEOUT_MS = 5000  # how long a write waits for another process's write to finish
# Every connection to a vault's file, and the benchmark's plain copy, so they behave alike.
SAFETY_PRAGMAS = (
    "temp_store = MEMORY",
    "secure_delete = ON",
    "trusted_schema = OFF",
    "foreign_keys = ON",
    "cell_size_check = ON",
)

_memory_security_done = False


def memory_security_wanted() -> bool:
    """SQLCipher memory security (mlock + wipe of every SQLite allocation) is on unless an
    administrator turns it off with FIELDBOOK_MEMORY_SECURITY=off. Each heap allocation by SQLite
    then costs an mlock and munlock system call and a wipe; the larger lookaside pool
    (lookaside.py) keeps most of them off the heap. See ``fieldbook bench`` for the measured cost.
    Key material is wiped either way."""
    return os.environ.get("FIELDBOOK_MEMORY_SECURITY", "on").strip().lower() not in (
        "off",
        "0",
        "false",
        "no",
    )


def _fsync_dir(path: Path) -> None:
    if sys.platform == "win32":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def _private_umask() -> Iterator[None]:
    """New files (the vault, its -wal and -shm) are readable by the user only."""
    if sys.platform == "win32":
        yield
        return
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def _check_file(path: Path) -> None:
    """Refuse a missing, empty or truncated file before any key touches it (it is kept)."""
    if not path.exists():
        raise VaultMissing(f"No vault at {path}: create one with `fieldbook init`, or restore a backup")
    if not path.is_file():
        raise VaultDamaged(f"{path} is not a vault file")
    size = path.stat().st_size
    if size == 0:
        raise VaultDamaged(
            f"The vault file {path} is empty (0 bytes). It has been kept as it is; "
            "restore your latest backup with `fieldbook vault restore`."
        )
    if size % PAGE_SIZE:
        raise VaultDamaged(
            f"The vault file {path} is truncated or damaged. It has been kept as it "
            "is; restore your latest backup with `fieldbook vault restore`."
        )


def _connect(path: Path, secret: bytearray) -> Any:
    """A keyed connection with the hardened settings; raises ``WrongPassphrase`` on a bad key.

    ``KDF_ITER`` is read here, at each call, not bound at import: the test harness lowers it for
    its own processes (tests/child_env/sitecustomize.py); the product has no setting for it."""
    global _memory_security_done
    with _private_umask():
        conn = sqlcipher.connect(
            str(path), isolation_level=None, check_same_thread=True, cached_statements=256
        )
    try:
        # Before any statement: SQLite only resizes an unused pool (see lookaside.py for why).
        lookaside.enlarge(conn, path)
        if not _memory_security_done:
            # Process-wide and one-way: set before the first key (SQLCipher 4.5+).
            if memory_security_wanted():
                conn.execute("PRAGMA cipher_memory_security = ON")
            _memory_security_done = True
        conn.execute("PRAGMA cipher_log_level = NONE")
        conn.set_key(secret)
        conn.execute(f"PRAGMA kdf_iter = {int(KDF_ITER)}")
        try:
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlcipher.DatabaseError:
            raise WrongPassphrase() from None
        for pragma in (*SAFETY_PRAGMAS, f"busy_timeout = {BUSY_TIMEOUT_MS}"):
            conn.execute(f"PRAGMA {pragma}")
        with _private_umask():
            conn.execute("PRAGMA journal_mode = WAL").fetchone()
        conn.execute("PRAGMA synchronous = FULL")
        if sys.platform == "darwin":
            conn.execute("PRAGMA fullfsync = ON")
        return conn
    except BaseException:
        conn.close()
        raise


def integrity_problems(conn: Any) -> list[str]:
    """Problems found by SQLite's quick check and SQLCipher's per-page HMAC check."""
    problems: list[str] = []
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
        problems += [str(r[0]) for r in rows if r[0] != "ok"]
        problems += [str(r[0]) for r in conn.execute("PRAGMA cipher_integrity_check").fetchall()]
    except sqlcipher.DatabaseError as exc:
        problems.append(str(exc))
    return problems


@dataclass
class CheckReport:
    """What ``vault check`` found."""

    integrity: list[str] = field(default_factory=list)
    audit_broken_at: int | None = None
    audit_entries: int = 0
    schema_version: int = 0
    anchor: list[str] = field(default_factory=list)  # the chain's head against its anchor
    records: list[RecordProblem] = field(default_factory=list)  # final records changed
    head: dict[str, Any] = field(default_factory=dict)  # {"seq", "hash"} of the audit chain

    @property
    def ok(self) -> bool:
        return not (self.integrity or self.anchor or self.records) and self.audit_broken_at is None


class Vault:
    """An unlocked vault. Use ``Vault.create`` or ``Vault.open``; ``close`` locks it again."""

    def __init__(self, path: Path, conn: Any, secret: bytearray, clock: Clock) -> None:
        self.path = path
        self._conn: Any = conn
        self._secret = secret
        self.clock = clock
        self.failed_unlocks = 0  # failures since the last successful unlock (for the audit log)

    # -- opening ------------------------------------------------------------------------------
    @classmethod
    def create(cls, path: Path | str, passphrase: str, *, clock: Clock = SYSTEM_CLOCK) -> Vault:
        """A new vault at ``path``; refuses (and keeps) any file already there."""
        path = Path(path)
        value = check_passphrase(passphrase)
        for p in (path, path.with_name(path.name + "-wal")):
            if p.exists():
                raise UsageError(f"Vault: {p} already exists; it has been left as it is")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        secret = bytearray(value.encode("utf-8"))
        conn = _connect(path, secret)
        try:
            _migrate(conn, path, secret, fresh=True)
            conn.execute("INSERT INTO meta VALUES ('created_at', ?)", (iso_now(clock),))
            conn.execute("INSERT INTO meta VALUES ('vault_id', ?)", (secrets.token_hex(16),))
            vault = cls(path, conn, secret, clock)
            vault._adopt_anchor()
        except BaseException:
            conn.close()
            raise
        if sys.platform != "win32":
            os.chmod(path, 0o600)
        return vault

    @classmethod
    def open(
        cls, path: Path | str, passphrase: str, *, clock: Clock = SYSTEM_CLOCK, check: bool = True
    ) -> Vault:
        """Unlock an existing vault. Every failure that could reveal a guess says the same thing."""
        path = Path(path)
        _check_file(path)
        secret = bytearray(normalise(passphrase).encode("utf-8"))
        # The attempts file stays locked from the back-off to the outcome, so guesses made in
        # parallel are counted and slowed one after another (throttle.py).
        with attempt(path) as guess:
            guess.wait(clock)  # the growing back-off after 5 failures (≤10 guesses in 5 minutes)
            try:
                conn = _connect(path, secret)
            except WrongPassphrase:
                _zero(secret)
                guess.failed(clock)
                raise
            failures = guess.succeeded()
        if check:
            problems = integrity_problems(conn)
            if problems:
                conn.close()
                _zero(secret)
                raise VaultDamaged()
        vault = cls(path, conn, secret, clock)
        vault.failed_unlocks = failures
        try:
            _migrate(conn, path, secret, fresh=False)
            vault._settle_passphrase_change()
            vault._adopt_anchor()
        except BaseException:
            vault.close()
            raise
        return vault

    # -- the connection -----------------------------------------------------------------------
    @property
    def conn(self) -> Any:
        if self._conn is None:
            raise VaultLocked("The vault is locked")
        return self._conn

    @property
    def is_open(self) -> bool:
        return self._conn is not None

    # -- the audit chain's anchor (integrity.py) -----------------------------------------------
    def _vault_id(self) -> str:
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'vault_id'").fetchone()
        return str(row[0]) if row else ""

    def anchor_keys(self) -> list[bytes]:
        """The keys the audit anchor is sealed with (one, except during a passphrase change)."""
        if self._conn is None:
            raise VaultLocked("The vault is locked")
        return [integrity.anchor_key(self._secret, self._vault_id())]

    def _adopt_anchor(self) -> None:
        """Anchor the chain of a vault made before anchors existed (once; marked in meta), so a
        later removal of the anchor is reported rather than silently repaired."""
        marked = self.conn.execute("SELECT 1 FROM meta WHERE key = 'audit_anchored'").fetchone()
        if marked:
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            integrity.seal(self.conn, self.anchor_keys())
            self.conn.execute("INSERT INTO meta VALUES ('audit_anchored', ?)", (iso_now(self.clock),))
            self.conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlcipher.Error):
                self.conn.execute("ROLLBACK")
            raise

    def passphrase(self) -> str:
        """The passphrase this vault was unlocked with (needed to open the signing identity)."""
        if self._conn is None:
            raise VaultLocked("The vault is locked")
        return self._secret.decode("utf-8")

    def close(self) -> None:
        """Lock: checkpoint the WAL into the file, close the connection and wipe the key."""
        if self._conn is None:
            return
        with contextlib.suppress(sqlcipher.Error):
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self._conn.close()
        self._conn = None
        _zero(self._secret)

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- checks, backup, restore, passphrase --------------------------------------------------
    def check(self) -> CheckReport:
        from app.core.store.audit import verify_chain

        report = CheckReport(integrity=integrity_problems(self.conn))
        report.audit_broken_at, report.audit_entries = verify_chain(self.conn)
        report.schema_version = int(self.conn.execute("PRAGMA user_version").fetchone()[0])
        report.anchor = integrity.anchor_problems(self.conn, self.anchor_keys()[0])
        report.records = integrity.record_problems(self.conn)
        top = integrity.head(self.conn)
        report.head = {"seq": top["seq"], "hash": top["hash"]}
        return report

    def backup(self, dest: Path | str, passphrase: str | None = None) -> Path:
        """An encrypted copy made with the backup API, reopened and checked before it counts."""
        dest = Path(dest)
        if dest.exists():
            raise UsageError(f"Backup: {dest} already exists; choose a new file name")
        problems = integrity_problems(self.conn)
        if problems:
            raise VaultDamaged(
                "The vault failed its integrity check, so no backup was made: " + "; ".join(problems[:3])
            )
        secret = (
            bytearray(check_passphrase(passphrase).encode("utf-8")) if passphrase else bytearray(self._secret)
        )
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(4)}.tmp")
        try:
            target = _connect(tmp, secret)
            try:
                target.execute("PRAGMA journal_mode = DELETE")
                self.conn.backup(target)
                if passphrase:  # the copy's anchor is sealed with the copy's own key
                    integrity.seal(target, [integrity.anchor_key(secret, self._vault_id())])
            finally:
                target.close()
            verify = _connect(tmp, secret)
            try:
                if integrity_problems(verify):
                    raise VaultDamaged("The backup did not verify; nothing was kept")
                verify.execute("PRAGMA journal_mode = DELETE")
            finally:
                verify.close()
            if sys.platform != "win32":
                os.chmod(tmp, 0o600)
            os.replace(tmp, dest)
            _fsync_dir(dest.parent)
        finally:
            _zero(secret)
            for leftover in (
                tmp,
                tmp.with_name(tmp.name + "-wal"),
                tmp.with_name(tmp.name + "-shm"),
                tmp.with_name(tmp.name + "-journal"),
            ):
                with contextlib.suppress(FileNotFoundError):
                    leftover.unlink()
        return dest

    @staticmethod
    def restore(
        path: Path | str, backup: Path | str, passphrase: str, *, clock: Clock = SYSTEM_CLOCK
    ) -> Path | None:
        """Put a verified backup in place; the current vault is kept beside it, never deleted.

        Returns where the previous vault was kept (None if there was none).
        """
        path, backup = Path(path), Path(backup)
        _check_file(backup)
        secret = bytearray(normalise(passphrase).encode("utf-8"))
        try:
            probe = _connect(backup, secret)
        except WrongPassphrase:
            _zero(secret)
            raise
        try:
            if integrity_problems(probe):
                raise VaultDamaged("The backup failed its integrity check; nothing was changed")
        finally:
            probe.close()
        tmp = path.with_name(f".{path.name}.restore.{secrets.token_hex(4)}.tmp")
        kept: Path | None = None
        try:
            src = _connect(backup, secret)
            dst = _connect(tmp, secret)
            try:
                dst.execute("PRAGMA journal_mode = DELETE")
                src.backup(dst)
                if integrity_problems(dst):
                    raise VaultDamaged("The restored copy did not verify; nothing was changed")
            finally:
                src.close()
                dst.close()
            if sys.platform != "win32":
                os.chmod(tmp, 0o600)
            if path.exists():
                stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(clock.now().timestamp()))
                kept = path.with_name(f"{path.name}.before-restore-{stamp}")
                os.replace(path, kept)
                for suffix in ("-wal", "-shm"):
                    side = path.with_name(path.name + suffix)
                    if side.exists():
                        os.replace(side, kept.with_name(kept.name + suffix))
            os.replace(tmp, path)
            _fsync_dir(path.parent)
        finally:
            _zero(secret)
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        return kept

    def change_passphrase(self, old: str, new: str, *, identities: dict[int, bytes] | None = None) -> None:
        """Change the passphrase of the vault and of its signing identities as one change.

        ``identities`` maps identity rows to their PKCS#12 re-protected with ``new`` (made by
        ``app.core.identity.change_passphrase``). The steps, and where a kill leaves things:

        1. a verified backup under the old passphrase, kept only until the change is confirmed;
        2. under the old key, one transaction: the re-protected identities and a tag of the new
           passphrase (``meta.passwd_pending``), and the audit anchor sealed under both keys;
        3. the rekey, the commit point (SQLCipher rewrites every page in one transaction);
        4. reopened and checked with the new passphrase, one transaction puts the identities in
           place, audits the change and seals the anchor under the new key alone;
        5. the backup, and any copy kept before a schema upgrade, are overwritten and deleted.

        Killed before 3, the old passphrase opens the vault and its identities (the next unlock
        drops the pending change); from 3 on, the new one opens both (the next unlock finishes 4
        and 5). Leftover backups are shredded at the next unlock.
        """
        if normalise(old).encode("utf-8") != bytes(self._secret):
            raise WrongPassphrase()
        value = check_passphrase(new)
        fresh = bytearray(value.encode("utf-8"))
        vault_id = self._vault_id()
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(self.clock.now().timestamp()))
        backup = self.backup(self.path.with_name(f"{self.path.name}{_BEFORE_CHANGE}{stamp}.bak"))
        pending = {
            "tag": _change_tag(fresh, vault_id),
            "identities": {
                str(k): base64.b64encode(v).decode("ascii") for k, v in (identities or {}).items()
            },
        }
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            integrity.put_meta(conn, _PENDING, json.dumps(pending))
            integrity.seal(conn, [*self.anchor_keys(), integrity.anchor_key(fresh, vault_id)])
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlcipher.Error):
                conn.execute("ROLLBACK")
            _zero(fresh)
            raise
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        # rekey rewrites every page; WAL must be off while it runs (SQLCipher requirement)
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.reset_key(fresh)
        conn.close()
        self._conn = None
        _zero(self._secret)
        try:
            conn = _connect(self.path, fresh)
        except WrongPassphrase:
            raise VaultDamaged(
                "The new passphrase did not open the vault after the change; "
                f"your previous vault is in {backup}"
            ) from None
        if integrity_problems(conn):
            conn.close()
            raise VaultDamaged(f"The vault failed its check after the change; a backup is in {backup}")
        self._conn = conn
        self._secret = fresh
        self._settle_passphrase_change()

    def _settle_passphrase_change(self) -> None:
        """Finish (or drop) a passphrase change a kill interrupted, then shred leftover backups."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (_PENDING,)).fetchone()
        done = False
        if row is not None:
            try:
                pending = json.loads(row[0])
                done = hmac.compare_digest(
                    str(pending.get("tag")), _change_tag(self._secret, self._vault_id())
                )
            except (ValueError, AttributeError):
                pending, done = {}, False
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                if done:  # the rekey happened: the identities follow the new passphrase
                    for key, blob in (pending.get("identities") or {}).items():
                        conn.execute(
                            "UPDATE identity SET p12 = ? WHERE id = ?", (base64.b64decode(blob), int(key))
                        )
                    actor = conn.execute("SELECT name FROM profile WHERE id = 1").fetchone()
                    audit_log.append(
                        conn,
                        at=iso_now(self.clock),
                        actor=actor[0] if actor else "(no profile)",
                        action="passphrase_change",
                        object_type="vault",
                        object_id="vault",
                        details={"identities": len(pending.get("identities") or {})},
                    )
                conn.execute("DELETE FROM meta WHERE key = ?", (_PENDING,))
                integrity.seal(conn, self.anchor_keys())
                conn.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlcipher.Error):
                    conn.execute("ROLLBACK")
                raise
        name = glob.escape(self.path.name)
        stale = [f"{name}{_BEFORE_CHANGE}*", f".{name}{_BEFORE_CHANGE}*"]
        if done:  # copies made before a schema upgrade hold the old passphrase too
            stale.append(f"{name}.pre-v*.bak")
        for pattern in stale:
            for leftover in self.path.parent.glob(pattern):
                shred(leftover)


_PENDING = "passwd_pending"  # meta row of a passphrase change under way
_BEFORE_CHANGE = ".before-passwd-"  # the safety copy's name: <vault>.before-passwd-<time>.bak


def _change_tag(secret: bytes | bytearray, vault_id: str) -> str:
    """Says which passphrase a pending change is for, without keeping the passphrase."""
    return hmac.new(
        bytes(secret), b"fieldbook passphrase change/1\x00" + vault_id.encode(), hashlib.sha256
    ).hexdigest()


def shred(path: Path) -> None:
    """Overwrite a file with random bytes, flush it to disk, then delete it.

    The copy is encrypted anyway; overwriting removes it under the old passphrase from the file
    system as far as a file system allows (a copy-on-write or flash disk may keep old blocks).
    """
    with contextlib.suppress(FileNotFoundError):
        size = path.stat().st_size
        with open(path, "r+b") as fh:
            left = size
            while left > 0:
                chunk = min(left, 1 << 20)
                fh.write(secrets.token_bytes(chunk))
                left -= chunk
            fh.flush()
            os.fsync(fh.fileno())
        path.unlink()
        _fsync_dir(path.parent)


def _zero(buf: bytearray) -> None:
    for i in range(len(buf)):
        buf[i] = 0


def _migrate(conn: Any, path: Path, secret: bytearray, *, fresh: bool) -> None:
    """Bring the schema up to date, after a verified backup when a vault already holds data."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise VaultError(
            f"This vault was written by a newer Fieldbook (schema {version}); update Fieldbook to open it"
        )
    if version == SCHEMA_VERSION:
        return
    if not fresh and version > 0:
        _backup_before_migration(conn, path, secret, SCHEMA_VERSION)
    for number in range(version + 1, SCHEMA_VERSION + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[number - 1](conn)
            conn.execute(f"PRAGMA user_version = {number}")
            problems = integrity_problems(conn)
            if problems:
                raise VaultError(
                    f"Vault: schema upgrade {number} failed its check "
                    f"({problems[0]}); the vault was not changed"
                )
            conn.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlcipher.Error):
                conn.execute("ROLLBACK")
            raise


def _backup_before_migration(conn: Any, path: Path, secret: bytearray, target: int) -> Path:
    dest = path.with_name(f"{path.name}.pre-v{target}.bak")
    if dest.exists():
        return dest
    tmp = dest.with_name(dest.name + ".tmp")
    copy = _connect(tmp, bytearray(secret))
    try:
        copy.execute("PRAGMA journal_mode = DELETE")
        conn.backup(copy)
        if integrity_problems(copy):
            raise VaultDamaged(
                "The backup before the schema upgrade did not verify; the vault was not changed"
            )
    finally:
        copy.close()
    os.replace(tmp, dest)
    return dest


def busy_error(exc: BaseException) -> VaultBusy | None:
    """The user's error for SQLite's "database is locked" (another process held the write lock
    for longer than ``BUSY_TIMEOUT_MS``), or None when ``exc`` is something else."""
    if isinstance(exc, sqlcipher.OperationalError) and (
        "database is locked" in str(exc) or "database is busy" in str(exc)
    ):
        return VaultBusy()
    return None
