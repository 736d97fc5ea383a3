#!/usr/bin/env bash
# Build the frozen one-folder bundle: dist/fieldbook/fieldbook (+ the libraries beside it).
#   packaging/build.sh            build into dist/fieldbook
# Uses the project's .venv (made by packaging/dev) and adds PyInstaller to it.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[ -x .venv/bin/python ] || packaging/dev test --collect-only -q >/dev/null
.venv/bin/python -m pip install --quiet "pyinstaller>=6.22"
rm -rf build/pyinstaller dist/fieldbook
.venv/bin/python -m PyInstaller --noconfirm --clean \
  --workpath build/pyinstaller --distpath dist \
  packaging/fieldbook.spec
du -sh dist/fieldbook
