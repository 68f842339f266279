#!/usr/bin/env bash
# End-to-end tests of the EVM (VM 2) with real Ethereum clients: starts `./pwr devnet --reset` in a temporary data
# directory, waits for the JSON-RPC wrapper on 127.0.0.1:8545, runs `node --test` over tests/e2e/test (or the files
# given as arguments), then `./pwr vm verify --vm 2` (must exit 0), and always stops the devnet.
# Builds nothing itself (./pwr builds the CLI on first use); needs `npm ci` done in tests/e2e.
# Ports: the PWR API on 8085 and the JSON-RPC on 8545 when free, otherwise free ports picked at random (a colleague's
# devnet may hold the defaults); the tests get the JSON-RPC URL in PWR_EVM_RPC.
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
    kill -TERM "$DEVNET_PID" 2>/dev/null
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
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
NODE_PORT=8085; RPC_PORT=8545
port_busy "$NODE_PORT" && NODE_PORT="$(free_port)"
port_busy "$RPC_PORT" && RPC_PORT="$(free_port)"
export PWR_EVM_RPC="http://127.0.0.1:$RPC_PORT"

# Build first (in the foreground, so that a build failure is reported as such), then start the devnet.
"$PWR" --help >/dev/null || { echo "run.sh: ./pwr failed to build" >&2; exit 2; }
echo "run.sh: starting ./pwr devnet --reset --data-dir $DATA --port $NODE_PORT --evm-rpc-port $RPC_PORT (log: $LOG)"
"$PWR" devnet --reset --data-dir "$DATA" --port "$NODE_PORT" --evm-rpc-port "$RPC_PORT" >"$LOG" 2>&1 &
DEVNET_PID=$!

rpc_up() {
  curl -s -m 5 -H 'content-type: application/json' -d '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' \
    "$PWR_EVM_RPC" 2>/dev/null | grep -q '"result"'
}
for i in $(seq 1 360); do
  rpc_up && break
  if ! kill -0 "$DEVNET_PID" 2>/dev/null; then echo "run.sh: the devnet exited; its log:" >&2; tail -40 "$LOG" >&2; exit 2; fi
  sleep 0.5
done
rpc_up || { echo "run.sh: no JSON-RPC on $PWR_EVM_RPC after 180 s; devnet log:" >&2; tail -40 "$LOG" >&2; exit 2; }
echo "run.sh: JSON-RPC is up on $PWR_EVM_RPC"

cd "$E2E"
start=$(date +%s)
if [ $# -gt 0 ]; then files=("$@"); else files=(test/*.test.js); fi
node --test --test-concurrency="${PWR_E2E_CONCURRENCY:-4}" --test-reporter=spec "${files[@]}"
rc=$?
echo "run.sh: node --test exited $rc after $(( $(date +%s) - start )) s"

echo "run.sh: ./pwr vm verify --vm 2 --node http://127.0.0.1:$NODE_PORT"
"$PWR" vm verify --vm 2 --node "http://127.0.0.1:$NODE_PORT" </dev/null 2>&1 | tail -5
vrc=${PIPESTATUS[0]}
if [ "$vrc" -eq 0 ]; then
  echo "e2e: vm verify --vm 2: ok"
else
  echo "e2e: vm verify --vm 2: FAILED (exit $vrc); devnet log tail:"; tail -20 "$LOG"
fi
[ "$rc" -eq 0 ] && [ "$vrc" -eq 0 ]
