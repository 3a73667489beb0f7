#!/usr/bin/env bash
# Install what the full benchmark compares against (none of it is needed by the sandbox
# or by CI's smoke run): wrk from Debian, localstripe in its own virtualenv
# (benchmarks/.venv-peers, which also gets py-spy for profiling), and stripe-stateful-mock
# into benchmarks/peers/node_modules. All three are git-ignored.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq wrk
  else
    echo "wrk is missing: sudo apt-get install wrk" >&2
  fi
fi

python3 -m venv .venv-peers
.venv-peers/bin/pip install -q --upgrade localstripe py-spy

if command -v npm >/dev/null 2>&1; then
  (cd peers && npm install --no-audit --no-fund --silent)
else
  echo "npm is missing: stripe-stateful-mock will be skipped" >&2
fi
echo "peers installed: $(.venv-peers/bin/pip show localstripe | grep ^Version), stripe-stateful-mock $(node -p 'require("./peers/node_modules/stripe-stateful-mock/package.json").version' 2>/dev/null || echo missing)"
