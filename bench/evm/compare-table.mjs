// Joins ethereumjs timings (run-ethereumjs.mjs --out) with a BenchmarkDotNet JSON report of EvmWorkloadBenchmarks
// and prints the side-by-side table. Usage: node compare-table.mjs ethereumjs.json bdn-report.json
import fs from 'node:fs';

const [ejsFile, bdnFile] = process.argv.slice(2);
const ejs = JSON.parse(fs.readFileSync(ejsFile, 'utf8')).results;
const bdn = JSON.parse(fs.readFileSync(bdnFile, 'utf8')).Benchmarks;

const rows = [];
for (const e of ejs) {
  // FullName carries the untruncated parameter (Parameters abbreviates long values).
  const b = bdn.find(x => (x.FullName ?? '').includes(`(Workload: "${e.name}")`));
  if (!b || !b.Statistics) { rows.push({ name: e.name, missing: true }); continue; }
  const oursMs = b.Statistics.Median / 1e6;
  rows.push({
    name: e.name, gas: Number(e.gasUsed), ejsMs: e.msMedian, oursMs, ratio: e.msMedian / oursMs,
    ejsMgas: Number(e.gasUsed) / 1e3 / e.msMedian, oursMgas: Number(e.gasUsed) / 1e3 / oursMs,
    allocated: b.Memory?.BytesAllocatedPerOperation,
  });
}
const pad = (s, n) => String(s).padStart(n);
console.log(`${'workload'.padEnd(24)}${pad('gas', 11)}${pad('ethereumjs ms', 15)}${pad('PWR ms', 11)}${pad('ratio', 9)}${pad('ejs MGas/s', 12)}${pad('PWR MGas/s', 12)}${pad('PWR alloc B', 13)}`);
for (const r of rows) {
  if (r.missing) { console.log(`${r.name.padEnd(24)} (no BenchmarkDotNet result)`); continue; }
  console.log(`${r.name.padEnd(24)}${pad(r.gas, 11)}${pad(r.ejsMs.toFixed(3), 15)}${pad(r.oursMs.toFixed(4), 11)}${pad(r.ratio.toFixed(1) + 'x', 9)}${pad(r.ejsMgas.toFixed(1), 12)}${pad(r.oursMgas.toFixed(1), 12)}${pad(r.allocated ?? '?', 13)}`);
}
const ok = rows.filter(r => !r.missing);
if (ok.length > 0) {
  const geo = Math.exp(ok.reduce((a, r) => a + Math.log(r.ratio), 0) / ok.length);
  const total = ok.reduce((a, r) => a + r.ejsMs, 0) / ok.reduce((a, r) => a + r.oursMs, 0);
  console.log(`overall: geometric mean of ratios ${geo.toFixed(1)}x, total time ratio ${total.toFixed(1)}x (target >= 150x)`);
}
