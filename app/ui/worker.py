"""One database worker thread that owns the vault connection.

sqlcipher3 connections belong to the thread that opened them, and key derivation or a large case
must never freeze the window, so every database call runs here; results come back to the main
thread through a queued signal. Tests use ``inline=True``: the same code path, run synchronously.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

Job = Callable[[], Any]


class _Runner(QObject):
    finished = Signal(int, object, object)  # job id, result, error

    @Slot(int, object)
    def run(self, job_id: int, fn: Job) -> None:
        try:
            result = fn()
        except BaseException as exc:
            self.finished.emit(job_id, None, exc)
        else:
            self.finished.emit(job_id, result, None)


class DbWorker(QObject):
    """Submit callables; each runs on the worker thread, its callback on the main thread."""

    _submit = Signal(int, object)

    def __init__(self, *, inline: bool = False, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.inline = inline
        self._ids = itertools.count(1)
        self._callbacks: dict[
            int, tuple[Callable[[Any], None] | None, Callable[[BaseException], None] | None]
        ] = {}
        self._runner = _Runner()
        self._thread: QThread | None = None
        if not inline:
            self._thread = QThread()
            self._thread.setObjectName("fieldbook-db")
            self._runner.moveToThread(self._thread)
            # The runner belongs to the worker thread, so it is deleted there when it finishes.
            self._thread.finished.connect(self._runner.deleteLater)
            self._thread.start()
        self._submit.connect(self._runner.run)
        self._runner.finished.connect(self._deliver)

    @property
    def busy(self) -> bool:
        return bool(self._callbacks)

    def submit(
        self,
        fn: Job,
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> int:
        job_id = next(self._ids)
        self._callbacks[job_id] = (on_done, on_error)
        if self.inline:
            self._runner.run(job_id, fn)
        else:
            self._submit.emit(job_id, fn)
        return job_id

    def call(self, fn: Job) -> Any:
        """Run and wait (for shutdown and tests); raises what the job raised."""
        box: dict[str, Any] = {}
        done = {"flag": False}

        def ok(result: Any) -> None:
            box["result"] = result
            done["flag"] = True

        def err(exc: BaseException) -> None:
            box["error"] = exc
            done["flag"] = True

        self.submit(fn, ok, err)
        if not self.inline:
            from PySide6.QtCore import QCoreApplication, QEventLoop

            while not done["flag"]:
                QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)
        if "error" in box:
            raise box["error"]
        return box.get("result")

    @Slot(int, object, object)
    def _deliver(self, job_id: int, result: Any, error: Any) -> None:
        on_done, on_error = self._callbacks.pop(job_id, (None, None))
        if error is not None:
            if on_error is not None:
                on_error(error)
            else:
                raise error
        elif on_done is not None:
            on_done(result)

    def stop(self) -> None:
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(5000)
            self._thread = None
