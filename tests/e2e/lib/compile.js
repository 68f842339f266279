// Compiles the test contracts (contracts/*.sol, importing OpenZeppelin from node_modules) with the pinned npm solc,
// optimizer on, Cancun target (the PWR EVM's fork). The result is cached in .cache/ keyed by the sources and solc version.
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const CONTRACTS = join(ROOT, "contracts");
const CACHE = join(ROOT, ".cache");

function findImport(path) {
  const candidates = [join(ROOT, "node_modules", path), join(CONTRACTS, path)];
  for (const file of candidates) if (existsSync(file)) return { contents: readFileSync(file, "utf8") };
  return { error: `not found: ${path}` };
}

/** @returns {Record<"TestToken" | "TestNft" | "TraceProbe", {abi: any[], bytecode: `0x${string}`}>} */
export function compileContracts() {
  const solc = require("solc");
  const sources = {};
  for (const name of readdirSync(CONTRACTS).filter((f) => f.endsWith(".sol")).sort())
    sources[name] = { content: readFileSync(join(CONTRACTS, name), "utf8") };
  const ozVersion = JSON.parse(readFileSync(join(ROOT, "node_modules/@openzeppelin/contracts/package.json"), "utf8")).version;
  const key = createHash("sha256").update(JSON.stringify({ sources, v: solc.version(), ozVersion })).digest("hex").slice(0, 16);
  const cacheFile = join(CACHE, `contracts-${key}.json`);
  if (existsSync(cacheFile)) return JSON.parse(readFileSync(cacheFile, "utf8"));

  const input = {
    language: "Solidity",
    sources,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "cancun",
      outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
    },
  };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImport }));
  const errors = (output.errors ?? []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error("solc: " + errors.map((e) => e.formattedMessage).join("\n"));
  const result = {};
  for (const file of Object.keys(output.contracts))
    for (const [name, c] of Object.entries(output.contracts[file]))
      if (file.startsWith(name)) result[name] = { abi: c.abi, bytecode: "0x" + c.evm.bytecode.object };
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(result));
  return result;
}
