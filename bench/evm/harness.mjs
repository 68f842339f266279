// Shared @ethereumjs/evm set-up for the benchmark runner and the differential runner: a Cancun EVM over the
// default in-memory state, and transaction-shaped calls (warm sender/recipient/coinbase/precompiles, intrinsic
// gas, capped refund) so gas numbers are comparable with PWR's TransactionProcessor.
import { createEVM } from '@ethereumjs/evm';
import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import { Account, Address, bytesToHex, hexToBytes } from '@ethereumjs/util';

export const SENDER = new Address(hexToBytes('0x00000000000000000000000000000000000a11ce'));
export const COINBASE = new Address(new Uint8Array(20));
const PRECOMPILES = 10; // 0x01..0x0a in Cancun

export async function newEvm() {
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun });
  const evm = await createEVM({ common });
  await evm.stateManager.putAccount(SENDER, new Account(0n, 10n ** 30n));
  return evm;
}

export function intrinsicGas(data, isCreate) {
  let gas = 21000n + (isCreate ? 32000n + 2n * BigInt(Math.ceil(data.length / 32)) : 0n);
  for (const b of data) gas += b === 0 ? 4n : 16n;
  return gas;
}

function warm(evm, to) {
  // What the VM's runTx does before the call (EIP-2929/3651); evm.runCall alone warms nothing.
  evm.journal.cleanJournal();
  evm.transientStorage.clear();
  // Original values (EIP-2200) are per transaction: runTx clears this cache, runCall does not.
  evm.stateManager.originalStorageCache.clear();
  evm.journal.addAlwaysWarmAddress(SENDER.toString());
  evm.journal.addAlwaysWarmAddress(COINBASE.toString());
  for (let i = 1; i <= PRECOMPILES; i++) {
    const a = new Uint8Array(20); a[19] = i;
    evm.journal.addAlwaysWarmAddress(new Address(a).toString());
  }
  if (to) evm.journal.addAlwaysWarmAddress(to.toString());
}

// Gas as a transaction reports it: intrinsic + execution, minus the refund capped at a fifth (EIP-3529).
function txGas(result, data, isCreate, gasLimit) {
  const exec = result.execResult.executionGasUsed;
  const used = intrinsicGas(data, isCreate) + exec;
  const failed = result.execResult.exceptionError !== undefined && result.execResult.exceptionError.error !== 'revert';
  if (failed) return gasLimit;
  const refund = result.execResult.gasRefund ?? 0n;
  return used - (refund < used / 5n ? refund : used / 5n);
}

export async function deploy(evm, creationCodeHex, gasLimit = 30_000_000n, caller = SENDER) {
  const data = hexToBytes(creationCodeHex);
  warm(evm, undefined);
  const result = await evm.runCall({ caller, data, gasLimit: gasLimit - intrinsicGas(data, true), value: 0n });
  if (result.execResult.exceptionError) throw new Error(`deploy failed: ${result.execResult.exceptionError.error}`);
  await evm.journal.cleanup();
  return result.createdAddress;
}

// Runs one call from SENDER; with keepState false the state is rolled back afterwards so every run starts equal.
export async function call(evm, to, calldataHex, { gasLimit = 100_000_000n, keepState = false, value = 0n } = {}) {
  const data = typeof calldataHex === 'string' ? hexToBytes(calldataHex) : calldataHex;
  const intrinsic = intrinsicGas(data, false);
  if (!keepState) await evm.stateManager.checkpoint();
  warm(evm, to);
  const result = await evm.runCall({ caller: SENDER, origin: SENDER, to, data, gasLimit: gasLimit - intrinsic, value });
  const out = {
    success: result.execResult.exceptionError === undefined,
    error: result.execResult.exceptionError?.error,
    gasUsed: txGas(result, data, false, gasLimit),
    returnData: bytesToHex(result.execResult.returnValue),
    logs: (result.execResult.logs ?? []).map(([address, topics, payload]) => ({
      address: bytesToHex(address), topics: topics.map(t => bytesToHex(t)), data: bytesToHex(payload),
    })),
  };
  return { out, finish: async () => { await evm.journal.cleanup(); if (!keepState) await evm.stateManager.revert(); } };
}
