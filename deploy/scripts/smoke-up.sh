#!/usr/bin/env bash
# CI's check that `make up` works: runs up.py (debug binaries, free ports, a throwaway data
# folder), waits for stack.json, checks its shape and that the demo data answers, then stops
# it with SIGTERM and expects a clean exit. Used by deploy/scripts/test.sh.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$REPO_ROOT"

VAR="$(mktemp -d)"
trap 'rm -rf "$VAR"' EXIT
# Five consecutive free ports for the services.
BASE="$(python3 - <<'PY'
import random, socket
def free(p):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", p)); return True
        except OSError:
            return False
for _ in range(200):
    base = random.randrange(20000, 30000)
    if all(free(base + i) for i in range(5)):
        print(base); break
PY
)"

# Loopback webhook targets are allowed here: the peer benchmark's receiver is on loopback.
PRISM_NOTIFICATION__WEBHOOKS__ALLOW_PRIVATE_TARGETS=true \
PRISM_VAR="$VAR" python3 deploy/scripts/up.py --no-build --profile debug --base-port "$BASE" >"$VAR/up.log" 2>&1 &
UP=$!
for _ in $(seq 1 180); do
  [[ -f "$VAR/stack.json" ]] && break
  if ! kill -0 "$UP" 2>/dev/null; then
    echo "make up died before writing stack.json:"; cat "$VAR/up.log"; exit 1
  fi
  sleep 1
done
[[ -f "$VAR/stack.json" ]] || { echo "no stack.json after 180 s:"; cat "$VAR/up.log"; kill -TERM "$UP"; exit 1; }

python3 - "$VAR/stack.json" <<'PY'
import json, sys, urllib.request
stack = json.load(open(sys.argv[1]))
assert stack["nats_url"].startswith("nats://"), stack["nats_url"]
names = ["intake", "triage", "assessment", "warning-publication", "notification"]
assert sorted(stack["services"]) == sorted(names), stack["services"]
for role in ["admin", "regulator", "publisher", "expert"]:
    assert stack["tokens"][role].count(".") == 2, role
assert stack["stations"] and all(s["api_key"] for s in stack["stations"]), stack["stations"]

def get(url, token=None):
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)

for name in names:
    get(stack["services"][name] + "/readyz")
reports = get(stack["services"]["intake"] + "/v1/reports", stack["stations"][0]["api_key"])
warnings = get(stack["services"]["warning-publication"] + "/v1/warnings")
assert warnings["items"], "the demo warning is public"
print(f"smoke: stack.json ready; {len(reports['items'])} demo reports for the first station; "
      f"{len(warnings['items'])} public warning(s)")
PY

# Every benchmark scenario runs for a moment against the smoke stack, so none of them rots.
# Their results go to the throwaway folder; only real runs are appended to the committed file.
BENCH="${CARGO_TARGET_DIR:-$HOME/.cache/prism-target}/debug/prism-bench"
if [[ -x "$BENCH" ]]; then
  for scenario in "floor --messages 50 --subscribers 20 --fanouts 2" \
                  "alert-latency --subscribers 5 --routine-rate 20 --important-rate 2 --seconds 3" \
                  "fanout --subscribers 20" \
                  "public-reads --connections 4 --seconds 1 --rounds 1 --seed 2" \
                  "burst --reports 1000 --batch 500 --concurrency 2 --important-rate 2 --subscribers 3" \
                  "peer --alerts 3 --fail-seconds 1"; do
    # shellcheck disable=SC2086
    if ! "$BENCH" --stack "$VAR/stack.json" --out "$VAR/bench" $scenario >"$VAR/bench.log" 2>&1; then
      echo "bench smoke failed: prism-bench $scenario"; cat "$VAR/bench.log"; kill -TERM "$UP"; exit 1
    fi
    echo "bench smoke: prism-bench $scenario: $(tail -n 1 "$VAR/bench/RESULTS.md" | cut -d'|' -f7)"
  done
else
  echo "bench smoke failed: $BENCH was not built"; kill -TERM "$UP"; exit 1
fi

kill -TERM "$UP"
if wait "$UP"; then
  echo "smoke: make up stopped cleanly on SIGTERM"
else
  echo "make up did not stop cleanly:"; tail -n 40 "$VAR/up.log"; exit 1
fi
