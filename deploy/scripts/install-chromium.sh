#!/usr/bin/env bash
# Makes sure Debian's headless Chromium (for the public site's browser test) and xmllint (to
# validate CAP 1.2 messages against the official schema) are installed, with a Chinese font. Idempotent and fast
# when both are there: apt runs only when a binary is missing. The last line of stdout is the
# Chromium binary's path (deploy/scripts/test.sh exports it as PRISM_CHROMIUM).
set -euo pipefail

missing=()
[[ -x /usr/bin/chromium ]] || missing+=(chromium)
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
# A Chinese font, or the site's screenshot shows boxes instead of characters.
if ! { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh | grep -q .; }; then
  missing+=(fonts-wqy-zenhei)
fi

if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update >&2
  apt-get install -y --no-install-recommends "${missing[@]}" >&2
fi

echo /usr/bin/chromium
