#!/usr/bin/env bash
# Set up everything Assessor needs on Debian (Python 3.11), then run it.
#
#   bash dev.sh run      set up and launch the desktop app
#   bash dev.sh test     set up and run the whole test suite (what CI runs)
#
# Installs missing system packages with apt-get (as root, or through sudo), creates the
# virtual environment in .venv and installs the project into it. Safe to run again: it only
# does what is missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

VENV=.venv
# Qt's runtime libraries (xcb for a real screen, EGL/GL, fonts, sound) and the keychain.
RUNTIME_PACKAGES=(
  libegl1 libgl1 libglib2.0-0 libfontconfig1 libfreetype6 libxkbcommon0 libxkbcommon-x11-0
  libdbus-1-3 libpulse0 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1
  libxcb-randr0 libxcb-render-util0 libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libx11-xcb1
  libnss3 fonts-dejavu-core dbus gnome-keyring
)
# LibreOffice previews office evidence (optional for users; the tests convert real files).
TEST_PACKAGES=(dbus-daemon dbus-bin gnome-keyring postgresql
  libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui)

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "dev.sh: need root (or sudo) to run: $*" >&2; exit 1
  fi
}

apt_install() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "dev.sh: please install these packages yourself: ${missing[*]}" >&2
    return 0
  fi
  say "installing system packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
}

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.11 python3.12 python3.13 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c \
        'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 14) else 1)'; then
      command -v "$candidate"; return 0
    fi
  done
  echo "dev.sh: Python 3.11 to 3.13 is needed (on Debian: apt-get install python3)" >&2
  exit 1
}

make_venv() {
  local python extra="$1" stamp="$VENV/.installed-$1"
  python=$(find_python)
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating the virtual environment with $python"
    if ! "$python" -m venv "$VENV" 2>/dev/null; then
      rm -rf "$VENV"
      apt_install python3-venv "python$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv" || true
      "$python" -m venv "$VENV"
    fi
  fi
  local target="."
  [ "$extra" = run ] || target=".[$extra]"
  # A test environment holds everything the app needs too.
  if [ "$extra" = run ] && [ -f "$VENV/.installed-test" ] \
      && ! [ pyproject.toml -nt "$VENV/.installed-test" ]; then
    return 0
  fi
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    say "installing Assessor and its dependencies into $VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
      --config-settings editable_mode=compat -e "$target"
    touch "$stamp"
  fi
}

run_app() {
  apt_install "${RUNTIME_PACKAGES[@]}"
  make_venv run
  say "starting Assessor"
  exec "$VENV/bin/python" main.py "$@"
}

# A private PostgreSQL server for the hub's tests, on a free loopback port, removed on exit.
start_postgres() {
  local bin port run_as=()
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    say "no PostgreSQL server found: the hub's PostgreSQL tests will be skipped"
    return 0
  fi
  PG_HOME=$(mktemp -d)
  if [ "$(id -u)" -eq 0 ]; then  # PostgreSQL refuses to run as root
    chown postgres "$PG_HOME"
    run_as=(runuser -u postgres --)
  fi
  port=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${run_as[@]}" "$bin/initdb" -D "$PG_HOME/data" -U assessor -A trust --no-sync -E UTF8 \
    >"$PG_HOME/initdb.log" 2>&1 || { cat "$PG_HOME/initdb.log" >&2; exit 1; }
  "${run_as[@]}" "$bin/pg_ctl" -D "$PG_HOME/data" -l "$PG_HOME/server.log" -w -s start \
    -o "-p $port -k $PG_HOME -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" \
    || { cat "$PG_HOME/server.log" >&2; exit 1; }
  PG_STOP=("${run_as[@]}" "$bin/pg_ctl" -D "$PG_HOME/data" -m immediate -s stop)
  export ASSESSOR_TEST_POSTGRES_URL="postgresql://assessor@127.0.0.1:$port/postgres"
  say "PostgreSQL test server on 127.0.0.1:$port"
}

stop_postgres() {
  if [ -n "${PG_HOME:-}" ]; then
    "${PG_STOP[@]}" || true
    rm -rf "$PG_HOME"
  fi
}

run_tests() {
  apt_install "${RUNTIME_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
  make_venv test
  # A private, unlocked gnome-keyring on a private session bus: keyring talks to the real
  # Secret Service, and the user's own keyrings are never touched.
  KEYRING_HOME=$(mktemp -d)
  trap 'stop_postgres; rm -rf "$KEYRING_HOME"' EXIT
  start_postgres
  mkdir -p "$KEYRING_HOME/data" "$KEYRING_HOME/run"
  chmod 700 "$KEYRING_HOME/run"
  say "running the test suite (gnome-keyring inside dbus-run-session, Qt offscreen)"
  XDG_DATA_HOME="$KEYRING_HOME/data" XDG_RUNTIME_DIR="$KEYRING_HOME/run" \
  QT_QPA_PLATFORM=offscreen \
  dbus-run-session -- bash -c '
    printf "assessor-tests" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
    exec .venv/bin/python -m pytest -n "${ASSESSOR_TEST_WORKERS:-auto}" --dist loadfile "$@"
  ' dev.sh "$@"
}

case "${1:-}" in
  run) shift; run_app "$@" ;;
  test) shift; run_tests "$@" ;;
  *) echo "usage: bash dev.sh run | test [pytest options]" >&2; exit 2 ;;
esac
