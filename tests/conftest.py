"""Test-wide setup: Qt offscreen before any Qt import; no test touches the user's real data;
vaults keyed with a cheap key derivation in this process and every process a test starts."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

# The product's key derivation is slow on purpose; tests pay a token one. tests/child_env holds a
# sitecustomize that every child Python imports from PYTHONPATH (its docstring says why the product
# cannot reach it); this process installs it directly.
_CHILD_ENV = Path(__file__).resolve().parent / "child_env"
os.environ["PYTHONPATH"] = os.pathsep.join(
    p for p in (str(_CHILD_ENV), os.environ.get("PYTHONPATH", "")) if p
)
sys.path.insert(0, str(_CHILD_ENV))
import sitecustomize  # noqa: E402, F401  (installs itself)

sys.path.remove(str(_CHILD_ENV))

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_LOGGING_RULES", "*.debug=false")

# Never let a test read or write the developer's real vault or settings.
_home = tempfile.mkdtemp(prefix="fieldbook-test-home-")
os.environ["XDG_DATA_HOME"] = os.path.join(_home, "data")
os.environ["XDG_CONFIG_HOME"] = os.path.join(_home, "config")
os.environ["XDG_STATE_HOME"] = os.path.join(_home, "state")  # the crash log
os.environ.pop("FIELDBOOK_VAULT", None)
os.environ.pop("FIELDBOOK_PASSPHRASE", None)

import contextlib  # noqa: E402
import io  # noqa: E402
import shutil  # noqa: E402

import pytest  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402

settings.register_profile("ci", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("ci" if os.environ.get("CI") else "dev")


# -- golden vaults: made once per session by the real commands, copied per test ------------------
# `init` generates an RSA-3072 signing key (0.1-1 s, at random) and `demo` writes every form; a
# file copy costs a millisecond. A copy has the same vault id and identity as its siblings.
GOLDEN_PASSPHRASE = "plum otter lantern quietly 62"
GOLDEN_PROFILE = ("Sam Carter", "Social Worker", "Northshire Children's Services")


def _fieldbook(*argv: str) -> str:
    """Run a `fieldbook` command in this process with the golden passphrase; its standard output."""
    from app.cli import main

    out = io.StringIO()
    with pytest.MonkeyPatch.context() as mp, contextlib.redirect_stdout(out):
        mp.setenv("FIELDBOOK_PASSPHRASE", GOLDEN_PASSPHRASE)
        code = main(list(argv))
    assert code == 0, f"fieldbook {' '.join(argv)} exited {code}"
    return out.getvalue()


def copy_vault(golden: Path, dest: Path) -> Path:
    """A private copy of a closed golden vault at ``dest`` (its folder is made user-only)."""
    dest.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    shutil.copy2(golden, dest)
    return dest


@pytest.fixture(scope="session")
def golden_sam_vault(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`fieldbook init` for Sam Carter: profile, signing identity, the identity trusted."""
    path = tmp_path_factory.mktemp("golden-sam") / "sam.fieldbook"
    name, role, agency = GOLDEN_PROFILE
    _fieldbook("--vault", str(path), "init", "--name", name, "--role", role, "--agency", agency)
    return path


@pytest.fixture(scope="session")
def golden_demo_vault(golden_sam_vault: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Sam Carter's vault after `fieldbook demo`: (path, the demo case id)."""
    path = copy_vault(golden_sam_vault, tmp_path_factory.mktemp("golden-demo") / "sam.fieldbook")
    case_id = _fieldbook("--vault", str(path), "demo").split()[-1]
    return path, case_id


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--start-after",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="wait this long (real time) between collection and the first test, to show that no "
        "test depends on when it runs (e.g. `pytest tests/packs --start-after 600`); off by default",
    )


def pytest_collection_finish(session: pytest.Session) -> None:
    """``--start-after``: a busy CI machine can start tests long after collecting them; signatures
    and verification use injected clocks, so the pack tests must pass regardless."""
    delay = float(session.config.getoption("--start-after"))
    if delay > 0:
        import time

        time.sleep(delay)


def pytest_sessionfinish(session: object, exitstatus: int) -> None:
    """Tear Qt down while Python is still whole.

    Left to interpreter shutdown, the QApplication and any widgets kept alive by a failing test's
    traceback are destroyed in an arbitrary order after modules are gone, which can crash the
    process (and turn a readable test failure into a bare segfault exit code).
    """
    import gc
    import sys

    widgets = sys.modules.get("PySide6.QtWidgets")
    if widgets is None:
        return
    from PySide6.QtCore import QCoreApplication, QEvent

    app = widgets.QApplication.instance()
    if app is None:
        return
    for w in widgets.QApplication.topLevelWidgets():
        w.close()
        w.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents()
    gc.collect()
    app.shutdown()  # PySide6: delete the C++ application object now, not at exit
