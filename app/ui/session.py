"""The unlocked session: the vault (on the worker thread), the store, the forms, the clock."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from app.core.clock import SYSTEM_CLOCK, Clock
from app.ui.worker import DbWorker

if TYPE_CHECKING:
    from app.core.forms import FormRegistry
    from app.core.store import Store


class Session(QObject):
    """Owns the worker thread; the Vault and Store live on it and are only touched there."""

    unlocked = Signal()
    locked = Signal()

    def __init__(
        self,
        vault_path: Path,
        *,
        forms_dir: Path | None = None,
        clock: Clock = SYSTEM_CLOCK,
        inline: bool = False,
    ) -> None:
        super().__init__()
        self.vault_path = Path(vault_path)
        self.forms_dir = forms_dir
        self.clock = clock
        self.worker = DbWorker(inline=inline)
        self._store: Store | None = None
        self._registry: FormRegistry | None = None
        self.profile: Any = None

    @property
    def registry(self) -> FormRegistry:
        """The forms, loaded on first use (not needed to show the unlock window)."""
        if self._registry is None:
            from app.core.forms import load_registry

            self._registry = load_registry(self.forms_dir)
        return self._registry

    @property
    def is_unlocked(self) -> bool:
        return self._store is not None

    def exists(self) -> bool:
        return self.vault_path.exists()

    # -- open / create / lock (each runs on the worker) ---------------------------------------
    def unlock(
        self, passphrase: str, on_done: Callable[[Any], None], on_error: Callable[[BaseException], None]
    ) -> None:
        def job() -> Any:
            from app.core.store import Store, Vault

            vault = Vault.open(self.vault_path, passphrase, clock=self.clock)
            store = Store(vault)
            store.note_failed_unlocks()
            extra = store.settings_get("forms.dir")
            return store, store.profile(), extra

        def done(result: Any) -> None:
            self._store, self.profile, extra = result
            if extra and self.forms_dir is None:
                from app.core.forms import load_registry

                self._registry = load_registry(Path(extra))
            self.unlocked.emit()
            on_done(None)

        self.worker.submit(job, done, on_error)

    def create(
        self,
        passphrase: str,
        name: str,
        role: str,
        agency: str,
        on_done: Callable[[Any], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        def job() -> Any:
            from app.core.store import Store, Vault

            vault = Vault.create(self.vault_path, passphrase, clock=self.clock)
            store = Store(vault)
            store.set_profile(name, role, agency)
            try:
                from app.core import identity

                identity.on_vault_created(store, passphrase, clock=self.clock)
            except ModuleNotFoundError:  # a build without the packs area
                pass
            return store, store.profile()

        def done(result: Any) -> None:
            self._store, self.profile = result
            self.unlocked.emit()
            on_done(None)

        self.worker.submit(job, done, on_error)

    def lock(self) -> None:
        """Close the vault (checkpoint, wipe the key) and tell every view to clear itself."""
        store, self._store = self._store, None
        self.profile = None
        if store is not None:
            self.worker.call(store.vault.close)
            self.locked.emit()

    # -- work ---------------------------------------------------------------------------------
    def run(
        self,
        fn: Callable[[Store], Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        store = self._store
        if store is None:
            return
        self.worker.submit(lambda: fn(store), on_done, on_error)

    def call(self, fn: Callable[[Store], Any]) -> Any:
        store = self._store
        if store is None:
            raise RuntimeError("locked")
        return self.worker.call(lambda: fn(store))

    def shutdown(self) -> None:
        self.lock()
        self.worker.stop()
