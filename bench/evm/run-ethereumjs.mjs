// Runs each workload of artifacts/workloads.json on @ethereumjs/evm: deploys once, then calls it `runs` times
// from the same pre-state and prints JSON: time per run, gas used (transaction-level), MGas/s.
// Usage: node run-ethereumjs.mjs [--runs N] [--warmup N] [--min-ms MS] [--only name,name] [--out file.json]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { newEvm, deploy, call } from './harness.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, fallback) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : fallback; };
const runs = Number(opt('--runs', '5'));
const warmup = Number(opt('--warmup', '1'));
// Short workloads repeat until they have run this long, so their median is not a handful of samples.
const minMs = Number(opt('--min-ms', '2000'));
const only = opt('--only', '')?.split(',').filter(Boolean) ?? [];
const outFile = opt('--out', '');

const artifacts = JSON.parse(fs.readFileSync(path.join(here, 'artifacts', 'workloads.json'), 'utf8'));
const results = [];
for (const w of artifacts.workloads) {
  if (only.length > 0 && !only.includes(w.name)) continue;
  const evm = await newEvm();
  const address = await deploy(evm, w.creationCode);
  let gasUsed, returnData;
  const times = [];
  let measured = 0;
  for (let i = 0; i < warmup + runs || measured < minMs; i++) {
    const start = process.hrtime.bigint();
    const { out, finish } = await call(evm, address, w.calldata);
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    await finish();
    if (!out.success) throw new Error(`${w.name} failed on ethereumjs: ${out.error}`);
    if (gasUsed !== undefined && gasUsed !== out.gasUsed) throw new Error(`${w.name}: gas differs between runs`);
    gasUsed = out.gasUsed; returnData = out.returnData;
    if (i >= warmup) { times.push(ms); measured += ms; }
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  results.push({
    name: w.name, runs: times.length, gasUsed: gasUsed.toString(), returnData,
    msMedian: +median.toFixed(3), msMean: +mean.toFixed(3), msMin: +times[0].toFixed(3),
    mgasPerSec: +(Number(gasUsed) / 1e3 / median).toFixed(2),
  });
  process.stderr.write(`${w.name}: ${median.toFixed(1)} ms, gas ${gasUsed}\n`);
}
const json = JSON.stringify({ engine: '@ethereumjs/evm', node: process.version, results }, null, 2);
if (outFile) fs.writeFileSync(outFile, json + '\n');
console.log(json);
