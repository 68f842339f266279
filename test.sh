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
  grep -E "^\s+(Failed|Skipped) |Error Message|Assert\.|^\s+at Pwr\." "$log" | head -60
  # The totals block at the end: "Total tests: N", "Passed: N", "Failed: N".
  p=$(grep -E "^\s+Passed:\s+[0-9]+\s*$" "$log" | tail -1 | grep -oE "[0-9]+")
  f=$(grep -E "^\s+Failed:\s+[0-9]+\s*$" "$log" | tail -1 | grep -oE "[0-9]+")
  echo "  $name: ${p:-0} passed, ${f:-0} failed ($(grep -E "Total time:" "$log" | tail -1 | sed -E 's/.*Total time: *//'))"
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0}))
  if [ $rc -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
    echo "test.sh: $name exited $rc without a failing test; its log:"; tail -40 "$log"; broken=$((broken + 1))
  fi
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$broken" -eq 0 ]
