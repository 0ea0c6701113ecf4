#!/usr/bin/env bash
# The reference programs the benchmarks measure PRISM beside, from Debian's packages:
# nginx (public reads) and Prometheus Alertmanager (webhook latency), and wrk, the load
# generator the public reads are measured with on both. Idempotent.
set -euo pipefail
missing=()
[[ -x /usr/sbin/nginx ]] || missing+=(nginx-light)
[[ -x /usr/bin/prometheus-alertmanager ]] || missing+=(prometheus-alertmanager)
[[ -x /usr/bin/wrk ]] || missing+=(wrk)
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
# Debian starts Alertmanager as a system service; the benchmark runs its own copy.
if command -v systemctl >/dev/null 2>&1; then systemctl stop prometheus-alertmanager 2>/dev/null || true; fi
pkill -f '^/usr/bin/prometheus-alertmanager' 2>/dev/null || true
echo "/usr/sbin/nginx /usr/bin/prometheus-alertmanager /usr/bin/wrk"
