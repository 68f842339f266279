// Compiles contracts/*.sol with solc-js (optimizer on, Cancun) and writes artifacts/workloads.json: for each
// workload the creation code (constructor arguments appended) and the calldata that runs it.
// Usage: node compile.mjs   (run after editing a contract or a workload size; commit the artifact)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import solc from 'solc';

const here = path.dirname(fileURLToPath(import.meta.url));
const contractsDir = path.join(here, 'contracts');

const sources = {};
for (const file of fs.readdirSync(contractsDir).filter(f => f.endsWith('.sol')).sort())
  sources[file] = { content: fs.readFileSync(path.join(contractsDir, file), 'utf8') };

const input = {
  language: 'Solidity',
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    evmVersion: 'cancun',
    outputSelection: { '*': { '*': ['evm.bytecode.object', 'evm.methodIdentifiers'] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input), { import: p => ({ contents: fs.readFileSync(path.join(contractsDir, p), 'utf8') }) }));
const errors = (output.errors ?? []).filter(e => e.severity === 'error');
for (const e of output.errors ?? []) console.error(e.formattedMessage);
if (errors.length > 0) process.exit(1);

function contract(file, name) {
  const c = output.contracts[file]?.[name];
  if (!c) throw new Error(`no contract ${name} in ${file}`);
  return c;
}
const word = v => BigInt(v).toString(16).padStart(64, '0');
function calldata(c, signature, ...args) {
  const selector = c.evm.methodIdentifiers[signature];
  if (!selector) throw new Error(`no method ${signature}`);
  return '0x' + selector + args.map(word).join('');
}

// Sizes keep each workload to roughly a second or less per run on @ethereumjs/evm.
const workloads = [];
function add(name, file, contractName, ctorArgs, signature, args, description) {
  const c = contract(file, contractName);
  workloads.push({
    name, contract: contractName, description,
    creationCode: '0x' + c.evm.bytecode.object + ctorArgs.map(word).join(''),
    calldata: calldata(c, signature, ...args),
  });
}
add('erc20-transfer', 'Erc20Benchmarks.sol', 'Erc20TransferBench', [], 'run(uint256)', [1000], '1000 ERC-20 transfer calls to distinct recipients');
add('erc20-mint', 'Erc20Benchmarks.sol', 'Erc20MintBench', [], 'run(uint256)', [1000], '1000 ERC-20 mint calls to distinct recipients');
add('erc20-approval-transfer', 'Erc20Benchmarks.sol', 'Erc20ApprovalTransferBench', [], 'run(uint256)', [500], '500 rounds of approve + transferFrom');
add('keccak-10k', 'KeccakBench.sol', 'KeccakBench', [], 'run(uint256)', [10000], '10,000 chained keccak256 hashes of 64 bytes');
add('raytracer', 'RayTracer.sol', 'RayTracer', [], 'run(uint256,uint256)', [24, 16], 'fixed-point ray tracer, 24x16 pixels, 5 spheres, shadows, 3 bounces');
// One plain ERC-20 transfer (what a transfer transaction executes): the deployer holds the supply.
add('erc20-transfer-single', 'PwrToken.sol', 'PwrToken', [1n << 128n], 'transfer(address,uint256)', [0x1234567n, 1000n], 'one ERC-20 transfer(to, 1000) by the holder');

const out = {
  solc: solc.version(),
  settings: { optimizer: input.settings.optimizer, evmVersion: input.settings.evmVersion },
  workloads,
  // The token itself, for transaction-level transfer benchmarks (constructor argument: initial supply).
  token: { creationCode: '0x' + contract('PwrToken.sol', 'PwrToken').evm.bytecode.object, methods: contract('PwrToken.sol', 'PwrToken').evm.methodIdentifiers },
};
fs.mkdirSync(path.join(here, 'artifacts'), { recursive: true });
fs.writeFileSync(path.join(here, 'artifacts', 'workloads.json'), JSON.stringify(out, null, 2) + '\n');
console.log(`solc ${out.solc}: wrote ${workloads.length} workloads to artifacts/workloads.json`);
