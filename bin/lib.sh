# Shared set-up for bin/run and bin/test: system packages, services, the virtualenv.
# Sourced, not run. Every step says what it does, since a first run takes minutes.

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

APT_UPDATED=""
apt_install() {
  # install Debian packages by name, running apt-get update once per session
  if ! command -v apt-get >/dev/null; then
    echo "Please install: $* (no apt-get on this machine)" >&2; return 1
  fi
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  if [ -z "$APT_UPDATED" ]; then say "apt-get update"; $sudo apt-get update -qq; APT_UPDATED=1; fi
  say "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

ensure_python() {
  PYTHON=${PYTHON:-$(command -v python3.11 || command -v python3)}
  "$PYTHON" -c 'import sys; assert sys.version_info[:2] == (3, 11), sys.version' 2>/dev/null || {
    echo "Tandem needs Python 3.11 (found: $("$PYTHON" --version 2>&1))." >&2; exit 1; }
  "$PYTHON" -c 'import venv, ensurepip' 2>/dev/null || apt_install python3-venv
}

ensure_installer() {
  # uv installs the packages in seconds where pip takes half a minute; it is fetched once per machine from PyPI
  # (into the Python that makes the virtualenv), and pip is the fallback where it cannot be
  UV=""
  if "$PYTHON" -m uv --version >/dev/null 2>&1 \
      || { say "installing uv (the package installer)"; "$PYTHON" -m pip install --quiet uv >/dev/null 2>&1; }; then
    "$PYTHON" -m uv --version >/dev/null 2>&1 && UV="$PYTHON -m uv"
  fi
}

ensure_virtualenv() {
  # $1: the extras to install ("" or "test"); reinstalls only when the requirements changed
  local extras=$1 stamp=.venv/.installed-$1
  ensure_installer
  if [ ! -x .venv/bin/python ]; then
    say "creating .venv"
    if [ -n "$UV" ]; then $UV venv --quiet --seed --python "$PYTHON" .venv; else "$PYTHON" -m venv .venv; fi
  fi
  local wanted; wanted=$(cat setup.cfg requirements/constraints.txt | sha256sum | cut -c1-16)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$wanted" ]; then
    say "installing Python packages into .venv${extras:+ (with $extras extras)}"
    if [ -n "$UV" ]; then
      $UV pip install --quiet --python .venv/bin/python -c requirements/constraints.txt -e ".${extras:+[$extras]}"
    else
      .venv/bin/python -m pip install --quiet --upgrade pip
      .venv/bin/python -m pip install --quiet --no-compile -c requirements/constraints.txt -e ".${extras:+[$extras]}"
    fi
    write_bytecode "$extras"
    echo "$wanted" > "$stamp"
  fi
  export PATH="$PWD/.venv/bin:$PATH"
  # a machine may forbid Python to write bytecode (PYTHONDONTWRITEBYTECODE): every process would then compile
  # the app and its libraries again, so it is allowed here (a module first imported later is written then)
  unset PYTHONDONTWRITEBYTECODE
}

write_bytecode() {
  # $1: the extras installed. Bytecode for what Tandem imports (and the tests, with the test extras), written
  # by importing it, Tandem in one process and its libraries in another: compiling every installed file took
  # 21 s here, this 8 s. The libraries Tandem imports only when first needed are named.
  say "writing bytecode for what Tandem imports${1:+ and what its tests import}"
  local libraries="scipy.stats networkx frictionless holidays"
  if [ "$1" = test ]; then
    libraries="$libraries pytest xdist playwright.sync_api hypothesis schemathesis time_machine aiosmtpd"
  fi
  env -u PYTHONDONTWRITEBYTECODE .venv/bin/python bin/write_bytecode.py core intake casework notifications &
  # shellcheck disable=SC2086 # one name per word
  env -u PYTHONDONTWRITEBYTECODE .venv/bin/python bin/write_bytecode.py $libraries >/dev/null 2>&1
  wait
}

postgres_answers() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }

ensure_postgres() {
  command -v pg_ctlcluster >/dev/null || apt_install postgresql postgresql-client
  if ! postgres_answers; then
    say "starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
    for _ in $(seq 30); do postgres_answers && break; sleep 1; done
  fi
  postgres_answers || { echo "PostgreSQL does not answer on 127.0.0.1:5432." >&2; exit 1; }
}

create_database() {
  # $1: database name; PostgreSQL on 127.0.0.1 with trust auth for user postgres
  psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$1'" | grep -q 1 \
    || { say "creating database $1"; createdb -h 127.0.0.1 -U postgres "$1"; }
}

redis_answers() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

start_redis() {
  say "starting Redis on 127.0.0.1:6379"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no "$@"
  for _ in $(seq 20); do redis_answers && return 0; sleep 0.5; done
  echo "Redis did not start." >&2; exit 1
}
