// Joins ethereumjs timings (run-ethereumjs.mjs --out) with BenchmarkDotNet JSON reports of EvmWorkloadBenchmarks
// and prints the side-by-side table. With several rounds (pairs of files, each pair one ethereumjs process and one
// BenchmarkDotNet process), each side's time per workload is the median over the rounds: one process launch's JIT
// and the machine's mood of the moment swing single runs by +-30% on a shared 2-core VM.
// Usage: node compare-table.mjs ethereumjs1.json bdn-report1.json [ethereumjs2.json bdn-report2.json ...]
import fs from 'node:fs';

const files = process.argv.slice(2);
if (files.length < 2 || files.length % 2 !== 0) throw new Error('usage: compare-table.mjs (ethereumjs.json bdn-report.json)+');
const rounds = [];
for (let i = 0; i < files.length; i += 2)
  rounds.push({ ejs: JSON.parse(fs.readFileSync(files[i], 'utf8')).results, bdn: JSON.parse(fs.readFileSync(files[i + 1], 'utf8')).Benchmarks });

const median = xs => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const geoMean = xs => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
// FullName carries the untruncated parameter (Parameters abbreviates long values).
const pwrOf = (round, name) => round.bdn.find(x => (x.FullName ?? '').includes(`(Workload: "${name}")`));

const rows = [];
for (const e of rounds[0].ejs) {
  const ejsMs = [], oursMs = [];
  let allocated;
  for (const r of rounds) {
    const re = r.ejs.find(x => x.name === e.name), b = pwrOf(r, e.name);
    if (!re || !b || !b.Statistics) continue;
    ejsMs.push(re.msMedian);
    oursMs.push(b.Statistics.Median / 1e6);
    allocated = b.Memory?.BytesAllocatedPerOperation;
  }
  if (oursMs.length === 0) { rows.push({ name: e.name, missing: true }); continue; }
  const ejsMed = median(ejsMs), oursMed = median(oursMs);
  rows.push({
    name: e.name, gas: Number(e.gasUsed), ejsMs: ejsMed, oursMs: oursMed, ratio: ejsMed / oursMed,
    roundRatios: ejsMs.map((x, i) => x / oursMs[i]),
    ejsMgas: Number(e.gasUsed) / 1e3 / ejsMed, oursMgas: Number(e.gasUsed) / 1e3 / oursMed, allocated,
  });
}
const pad = (s, n) => String(s).padStart(n);
console.log(`${rounds.length} round(s); times are ${rounds.length > 1 ? 'medians over the rounds of ' : ''}each side's median per call`);
console.log(`${'workload'.padEnd(24)}${pad('gas', 11)}${pad('ethereumjs ms', 15)}${pad('PWR ms', 11)}${pad('ratio', 9)}${pad('ejs MGas/s', 12)}${pad('PWR MGas/s', 12)}${pad('PWR alloc B', 13)}${rounds.length > 1 ? '  ratio per round' : ''}`);
for (const r of rows) {
  if (r.missing) { console.log(`${r.name.padEnd(24)} (no BenchmarkDotNet result)`); continue; }
  const perRound = rounds.length > 1 ? '  ' + r.roundRatios.map(x => x.toFixed(0) + 'x').join(' ') : '';
  console.log(`${r.name.padEnd(24)}${pad(r.gas, 11)}${pad(r.ejsMs.toFixed(3), 15)}${pad(r.oursMs.toFixed(4), 11)}${pad(r.ratio.toFixed(1) + 'x', 9)}${pad(r.ejsMgas.toFixed(1), 12)}${pad(r.oursMgas.toFixed(1), 12)}${pad(r.allocated ?? '?', 13)}${perRound}`);
}
const ok = rows.filter(r => !r.missing);
if (ok.length > 0) {
  const geo = geoMean(ok.map(r => r.ratio));
  const total = ok.reduce((a, r) => a + r.ejsMs, 0) / ok.reduce((a, r) => a + r.oursMs, 0);
  console.log(`overall: geometric mean of ratios ${geo.toFixed(1)}x, total time ratio ${total.toFixed(1)}x (target >= 150x)`);
  if (rounds.length > 1 && ok.every(r => r.roundRatios.length === rounds.length)) {
    const perRound = rounds.map((_, i) => geoMean(ok.map(r => r.roundRatios[i])));
    console.log(`geometric mean of each round alone: ${perRound.map(x => x.toFixed(1) + 'x').join(', ')}`);
  }
}
