#!/usr/bin/env bash
# Runs every test: builds the solution in Release, then each test project (unit, conformance, process-level
# end-to-end tests that start `pwr devnet`). Last line: "N passed, M failed".
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

if ! command -v dotnet >/dev/null 2>&1; then
  echo "test.sh: the .NET 10 SDK is required but 'dotnet' is not on PATH." >&2
  exit 1
fi

source "$ROOT/scripts/native-deps.sh"
ensure_native_deps || exit 1

# The EVM differential tests run @ethereumjs/evm under node: install bench/evm's locked npm packages
# (@ethereumjs/evm and its peers, solc) when they are missing.
if [ ! -d bench/evm/node_modules ] && command -v npm >/dev/null 2>&1; then
  echo "test.sh: npm ci in bench/evm (@ethereumjs/evm, solc)..."
  (cd bench/evm && npm ci --no-audit --no-fund >/dev/null) || echo "test.sh: npm ci failed; the EVM differential test will fail" >&2
fi

echo "test.sh: building the solution in Release..."
if ! dotnet build Pwr.slnx -c Release --nologo -clp:ErrorsOnly -v quiet; then
  echo "test.sh: build failed" >&2
  exit 1
fi
# Process-level tests start this binary.
export PWR_DLL="$ROOT/src/Pwr.Cli/bin/Release/net10.0/pwr.dll"

passed=0; failed=0; broken=0
LOG_DIR="$(mktemp -d)"
for proj in tests/*/*.Tests.csproj; do
  name="$(basename "$proj" .csproj)"
  echo "test.sh: running $name..."
  log="$LOG_DIR/$name.log"
  dotnet test "$proj" -c Release --no-build --nologo --logger "console;verbosity=normal" >"$log" 2>&1
  rc=$?
  # Each failure: its name, the first lines of its message (the line after "Error Message:"), and our stack frames.
  awk '/^[ \t]+(Failed|Skipped) /{print; next}
       /Error Message:/{print; m=6; next}
       /Stack Trace:/{m=0}
       m>0{print; m--; next}
       /^[ \t]+at Pwr\./{print}' "$log" | head -80
  # The totals block at the end: "Total tests: N", "Passed: N", "Failed: N".
  p=$(grep -E "^\s+Passed:\s+[0-9]+\s*$" "$log" | tail -1 | grep -oE "[0-9]+")
  f=$(grep -E "^\s+Failed:\s+[0-9]+\s*$" "$log" | tail -1 | grep -oE "[0-9]+")
  echo "  $name: ${p:-0} passed, ${f:-0} failed ($(grep -E "Total time:" "$log" | tail -1 | sed -E 's/.*Total time: *//'))"
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
    echo "test.sh: $name exited $rc without a failing test; its log:"; tail -40 "$log"; broken=$((broken + 1))
  fi
done

# End-to-end tests with real Ethereum clients (ethers, viem, web3.js, Chromium) against `pwr devnet`: tests/e2e/run.sh.
# PWR_SKIP_E2E=1 skips them (they need npm and Debian's chromium).
if [ "${PWR_SKIP_E2E:-0}" != "1" ]; then
  E2E="$ROOT/tests/e2e"
  e2e_ok=1
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "test.sh: tests/e2e needs Node.js and npm, which are not on PATH" >&2; e2e_ok=0
  elif [ ! -d "$E2E/node_modules" ]; then
    echo "test.sh: installing the e2e test dependencies (npm ci in tests/e2e)..."
    (cd "$E2E" && npm ci --no-audit --no-fund >"$LOG_DIR/e2e-npm.log" 2>&1) || { echo "test.sh: npm ci failed:"; tail -20 "$LOG_DIR/e2e-npm.log"; e2e_ok=0; }
  fi
  if [ "$e2e_ok" -eq 1 ] && [ ! -x /usr/bin/chromium ]; then
    echo "test.sh: /usr/bin/chromium is missing: installing Debian's chromium with apt-get (for the browser dApp test)..."
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >"$LOG_DIR/e2e-apt.log" 2>&1 \
      || { echo "test.sh: apt-get install chromium failed (the browser test will fail):"; tail -5 "$LOG_DIR/e2e-apt.log"; }
  fi
  if [ "$e2e_ok" -eq 1 ]; then
    echo "test.sh: running tests/e2e (run.sh)..."
    log="$LOG_DIR/e2e.log"
    "$E2E/run.sh" >"$log" 2>&1
    rc=$?
    grep -E "^run\.sh:|^e2e:" "$log"
    # node --test's spec summary: "ℹ pass N", "ℹ fail N" (todo tests are reported as todo, not counted as failed).
    p=$(grep -E "^ℹ pass [0-9]+" "$log" | tail -1 | grep -oE "[0-9]+")
    f=$(grep -E "^ℹ fail [0-9]+" "$log" | tail -1 | grep -oE "[0-9]+")
    t=$(grep -E "^ℹ todo [0-9]+" "$log" | tail -1 | grep -oE "[0-9]+")
    # `pwr vm verify --vm 2` after the run counts as one more test.
    if grep -q "^e2e: vm verify --vm 2: ok" "$log"; then p=$(( ${p:-0} + 1 )); else f=$(( ${f:-0} + 1 )); fi
    # the failures (todo tests are listed there too, with their reason after "#")
    [ "${f:-0}" -gt 0 ] && sed -n '/^✖ failing tests:/,$p' "$log" | grep -E "^✖|^test at|^  [A-Za-z]*Error" | head -60
    echo "  e2e: ${p:-0} passed, ${f:-0} failed, ${t:-0} todo (see tests/e2e/KNOWN_FAILURES.md)"
    passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
    if [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
      echo "test.sh: tests/e2e exited $rc without a failing test; its log:"; tail -40 "$log"; broken=$((broken + 1))
    fi
  else
    failed=$((failed + 1))
  fi
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$broken" -eq 0 ]
