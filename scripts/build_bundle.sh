#!/usr/bin/env bash
# Build the one-folder desktop bundle with PyInstaller (pyinstaller.spec).
#
#   bash scripts/build_bundle.sh [DIST_DIR]
#
# Installs PyInstaller into .venv when it is missing (the "build" extra of pyproject.toml; run
# `bash dev.sh run` or `bash dev.sh test` once first to make .venv), builds into DIST_DIR
# (default ./dist; PyInstaller's work files go to DIST_DIR/.work), and prints where the
# executable is and how big the bundle is. Check the result with:
#
#   DIST_DIR/assessor-<version>/assessor-run --self-test
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON="$ROOT/.venv/bin/python"
DIST=$(mkdir -p "${1:-$ROOT/dist}" && cd "${1:-$ROOT/dist}" && pwd)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

if [ ! -x "$PYTHON" ]; then
  echo "build_bundle.sh: no virtual environment at $ROOT/.venv; run: bash dev.sh test" >&2
  exit 1
fi
if ! "$PYTHON" -c 'import PyInstaller' 2>/dev/null; then
  spec=$("$PYTHON" -c 'import tomllib, sys
extra = tomllib.load(open(sys.argv[1], "rb"))["project"]["optional-dependencies"]["build"]
print(next(d for d in extra if d.lower().startswith("pyinstaller")))' "$ROOT/pyproject.toml")
  say "installing $spec into .venv"
  "$PYTHON" -m pip install --quiet --disable-pip-version-check "$spec"
fi

read -r name exe < <(cd "$ROOT" && "$PYTHON" -c 'from assessor import APP_NAME, __version__
print(f"{APP_NAME.lower()}-{__version__} {APP_NAME.lower()}-run")')
say "building $name into $DIST"
started=$(date +%s)
(cd "$ROOT" && "$PYTHON" -m PyInstaller --noconfirm --log-level WARN \
  --distpath "$DIST" --workpath "$DIST/.work" pyinstaller.spec)
say "built in $(( $(date +%s) - started )) s: $DIST/$name/$exe"
du -sh "$DIST/$name"
