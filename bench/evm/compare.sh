#!/usr/bin/env bash
# Side-by-side EVM benchmark: the same bytecode and calldata on @ethereumjs/evm (node) and on PWR's EVM
# (BenchmarkDotNet EvmWorkloadBenchmarks, in-process), then a table: ms per workload, ratio, MGas/s.
# Usage: bench/evm/compare.sh [--rounds N] [extra BenchmarkDotNet args, e.g. --job short]
# Each round is one ethereumjs process and one BenchmarkDotNet process; the table takes each side's median over the
# rounds (default 3), because single runs swing by +-30% on a shared VM.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
OUT="$(mktemp -d)"
cd "$HERE"
[ -d node_modules ] || npm ci --no-audit --no-fund
rounds=3
if [[ "${1:-}" == "--rounds" ]]; then rounds="$2"; shift 2; fi
cd "$ROOT"
echo "compare.sh: building EvmWorkloadBenchmarks..." >&2
dotnet build bench/Pwr.Benchmarks -c Release --nologo -clp:ErrorsOnly -v quiet >&2
# In-process: BenchmarkDotNet's generated-project build times out on a loaded machine. The setup asserts PWR's gas
# equals the ethereumjs gas of this same run.
# 15 warm-up iterations unless the caller says otherwise: under load the tier-0/OSR code of the interpreter loop
# lingered for whole iterations of a short job (10x swings); tiered PGO then beats DOTNET_TieredCompilation=0
# by ~2x on the compute workloads (results/2026-11-26-loaded-machine.md, runs 3 and 4).
extra=("$@")
[[ " $* " == *"--warmupCount"* ]] || extra+=(--warmupCount 15)
pairs=()
for r in $(seq 1 "$rounds"); do
  echo "compare.sh: round $r of $rounds: timing @ethereumjs/evm..." >&2
  (cd "$HERE" && node run-ethereumjs.mjs --runs 5 --warmup 1 --out "$OUT/ethereumjs-$r.json" >/dev/null)
  echo "compare.sh: round $r of $rounds: running EvmWorkloadBenchmarks..." >&2
  PWR_ETHEREUMJS_RESULTS="$OUT/ethereumjs-$r.json" dotnet bench/Pwr.Benchmarks/bin/Release/net10.0/Pwr.Benchmarks.dll \
    --filter '*EvmWorkloadBenchmarks*' --inProcess --exporters json --artifacts "$OUT/bdn-$r" "${extra[@]}" >"$OUT/bdn-$r.log" 2>&1 \
    || { tail -40 "$OUT/bdn-$r.log"; exit 1; }
  pairs+=("$OUT/ethereumjs-$r.json" "$(ls "$OUT"/bdn-$r/results/*EvmWorkloadBenchmarks*.json | head -1)")
done
node "$HERE/compare-table.mjs" "${pairs[@]}"
echo "(logs and reports in $OUT)" >&2
