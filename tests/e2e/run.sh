#!/usr/bin/env bash
# End-to-end tests of the EVM (VM 2) with real Ethereum clients: starts `./pwr devnet --reset` in a temporary data
# directory, waits for the JSON-RPC wrapper on 127.0.0.1:8545, runs `node --test` over tests/e2e/test (or the files
# given as arguments), then `./pwr vm verify --vm 2` (must exit 0), and always stops the devnet.
# Builds nothing itself (./pwr builds the CLI on first use); needs `npm ci` done in tests/e2e.
# Env: PWR_E2E_CONCURRENCY (test files run at once, default 4: each suite has its own sender account).
set -uo pipefail
E2E="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$E2E/../.." && pwd)"
PWR="$ROOT/pwr"
DATA="$(mktemp -d -t pwr-e2e-XXXXXX)"
LOG="$DATA.devnet.log"
DEVNET_PID=""

stop_devnet() {
  if [ -n "$DEVNET_PID" ] && kill -0 "$DEVNET_PID" 2>/dev/null; then
    kill -INT "$DEVNET_PID" 2>/dev/null
    for _ in $(seq 1 30); do kill -0 "$DEVNET_PID" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$DEVNET_PID" 2>/dev/null && kill -KILL "$DEVNET_PID" 2>/dev/null
    wait "$DEVNET_PID" 2>/dev/null
  fi
  DEVNET_PID=""
  rm -rf "$DATA"
}
trap stop_devnet EXIT
trap 'exit 130' INT TERM

if [ ! -d "$E2E/node_modules" ]; then
  echo "run.sh: tests/e2e/node_modules is missing: run 'npm ci' in tests/e2e first" >&2
  exit 2
fi
if (exec 3<>/dev/tcp/127.0.0.1/8545) 2>/dev/null || (exec 3<>/dev/tcp/127.0.0.1/8085) 2>/dev/null; then
  echo "run.sh: 127.0.0.1:8545 or :8085 is already in use (another devnet or Anvil?): stop it first" >&2
  exit 2
fi

# Build first (in the foreground, so that a build failure is reported as such), then start the devnet.
"$PWR" --help >/dev/null || { echo "run.sh: ./pwr failed to build" >&2; exit 2; }
echo "run.sh: starting ./pwr devnet --reset --data-dir $DATA (log: $LOG)"
"$PWR" devnet --reset --data-dir "$DATA" >"$LOG" 2>&1 &
DEVNET_PID=$!

rpc_up() {
  curl -s -m 5 -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' \
    http://127.0.0.1:8545 2>/dev/null | grep -q '"result"'
}
for i in $(seq 1 360); do
  rpc_up && break
  if ! kill -0 "$DEVNET_PID" 2>/dev/null; then echo "run.sh: the devnet exited; its log:" >&2; tail -40 "$LOG" >&2; exit 2; fi
  sleep 0.5
done
rpc_up || { echo "run.sh: no JSON-RPC on 127.0.0.1:8545 after 180 s; devnet log:" >&2; tail -40 "$LOG" >&2; exit 2; }
echo "run.sh: JSON-RPC is up on 127.0.0.1:8545"

cd "$E2E"
start=$(date +%s)
if [ $# -gt 0 ]; then files=("$@"); else files=(test/*.test.js); fi
node --test --test-concurrency="${PWR_E2E_CONCURRENCY:-4}" --test-reporter=spec "${files[@]}"
rc=$?
echo "run.sh: node --test exited $rc after $(( $(date +%s) - start )) s"

echo "run.sh: ./pwr vm verify --vm 2"
"$PWR" vm verify --vm 2 </dev/null 2>&1 | tail -5
vrc=${PIPESTATUS[0]}
if [ "$vrc" -eq 0 ]; then
  echo "e2e: vm verify --vm 2: ok"
else
  echo "e2e: vm verify --vm 2: FAILED (exit $vrc); devnet log tail:"; tail -20 "$LOG"
fi
[ "$rc" -eq 0 ] && [ "$vrc" -eq 0 ]
