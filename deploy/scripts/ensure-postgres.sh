#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432 with trust auth for
# user postgres: a no-op when it already does, else starts the installed cluster,
# else installs Debian's postgresql (needs root) and starts it.
# The last line printed is the server's URL.
set -euo pipefail

PG_HOST=127.0.0.1
PG_PORT=5432
PG_URL="postgres://postgres@${PG_HOST}:${PG_PORT}"

log() { echo "==> $*" >&2; }

if [[ "$(id -u)" -eq 0 ]]; then SUDO=(); else SUDO=(sudo); fi

works() {
  command -v pg_isready >/dev/null 2>&1 && command -v psql >/dev/null 2>&1 || return 1
  pg_isready -q -h "$PG_HOST" -p "$PG_PORT" || return 1
  psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -w -tAq -c 'select 1' >/dev/null 2>&1
}

wait_until_works() {
  for _ in $(seq 1 60); do
    works && return 0
    sleep 0.5
  done
  return 1
}

cluster_version() {
  ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1
}

start_cluster() {
  local v
  v="$(cluster_version)"
  [[ -n "$v" ]] || { echo "error: no cluster under /etc/postgresql" >&2; return 1; }
  log "starting PostgreSQL $v cluster main"
  "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$v" main start >&2 || true
}

trust_localhost() {
  local v hba
  v="$(cluster_version)"
  hba="/etc/postgresql/$v/main/pg_hba.conf"
  [[ -f "$hba" ]] || return 0
  if ! "${SUDO[@]}" grep -Eq '^host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$hba"; then
    log "setting trust auth for 127.0.0.1/32 in $hba"
    # The first matching line wins in pg_hba.conf: put ours first.
    local tmp
    tmp="$(mktemp)"
    { echo "host all all 127.0.0.1/32 trust"; "${SUDO[@]}" cat "$hba"; } >"$tmp"
    "${SUDO[@]}" cp "$tmp" "$hba"
    rm -f "$tmp"
    "${SUDO[@]}" pg_ctlcluster --skip-systemctl-redirect "$v" main reload >&2 || true
  fi
}

if works; then
  echo "$PG_URL"
  exit 0
fi

if [[ -z "$(cluster_version)" ]]; then
  log "PostgreSQL is not installed: installing Debian's postgresql"
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get update >&2
  "${SUDO[@]}" apt-get install -y postgresql >&2
fi

answers() {
  for _ in $(seq 1 60); do
    pg_isready -q -h "$PG_HOST" -p "$PG_PORT" && return 0
    sleep 0.5
  done
  return 1
}

if ! pg_isready -q -h "$PG_HOST" -p "$PG_PORT"; then
  start_cluster
  answers || true
fi
works || { trust_localhost; wait_until_works; } || {
  echo "error: PostgreSQL does not answer on ${PG_HOST}:${PG_PORT} as postgres with trust auth" >&2
  exit 1
}
echo "$PG_URL"
