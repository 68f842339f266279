// Differential runner: reads {programs:[{codeA, codeB, calldata, gasLimit, value}], storageKeys:[...],
// contractA, contractB, balanceA} as JSON on stdin, runs each program as one call transaction from the sender to A
// on a fresh Cancun @ethereumjs/evm, and prints [{success, gasUsed, returnData, logs, storage}] as JSON.
// Used by tests/Pwr.Vm.Evm.Tests/Differential; storage is read back for the given keys of A and B.
import { Account, Address, bytesToBigInt, hexToBytes, setLengthLeft } from '@ethereumjs/util';
import { newEvm, call } from './harness.mjs';

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
const A = new Address(hexToBytes(input.contractA));
const B = new Address(hexToBytes(input.contractB));
const keys = input.storageKeys.map(k => setLengthLeft(hexToBytes(k), 32));

const hex = v => '0x' + v.toString(16);
const results = [];
for (const p of input.programs) {
  const evm = await newEvm();
  // Contracts exist with nonce 1 (as deployed contracts do); A holds a balance so value calls and SELFDESTRUCT move ether.
  await evm.stateManager.putAccount(A, new Account(1n, BigInt(input.balanceA)));
  await evm.stateManager.putCode(A, hexToBytes(p.codeA));
  await evm.stateManager.putAccount(B, new Account(1n, 0n));
  await evm.stateManager.putCode(B, hexToBytes(p.codeB));
  let entry;
  try {
    const { out, finish } = await call(evm, A, p.calldata, { gasLimit: BigInt(p.gasLimit), keepState: true, value: BigInt(p.value) });
    await finish();
    const storage = {};
    for (const [name, address] of [['A', A], ['B', B]]) {
      storage[name] = [];
      for (const key of keys) storage[name].push(hex(bytesToBigInt(await evm.stateManager.getStorage(address, key))));
    }
    entry = { success: out.success, error: out.error ?? null, gasUsed: out.gasUsed.toString(), returnData: out.returnData, logs: out.logs, storage };
  } catch (e) {
    entry = { crash: String(e?.stack ?? e) };
  }
  results.push(entry);
}
process.stdout.write(JSON.stringify(results));
