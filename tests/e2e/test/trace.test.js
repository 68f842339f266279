// debug_traceTransaction / debug_traceBlockByNumber / debug_traceCall with geth's callTracer, prestateTracer and default
// struct logger through ethers v6
// (provider.send, as Hardhat- and Foundry-style tools call it): a solc-compiled probe calls another one.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { Contract, ContractFactory, JsonRpcProvider, Wallet, getBytes } from "ethers";
import { compileContracts } from "../lib/compile.js";
import { ACCOUNTS, CHAIN_ID, RPC_URL, TEST_TIMEOUT_MS, TX_TIMEOUT_MS, devAccount } from "../lib/env.js";

describe("debug_trace* with the callTracer, the prestateTracer and the struct logger", { timeout: TEST_TIMEOUT_MS }, () => {
  /** @type {JsonRpcProvider} */ let provider;
  /** @type {Wallet} */ let wallet;
  let probe, other, probeAddress, otherAddress, receipt;
  const lower = (a) => a.toLowerCase();

  before(async () => {
    const { TraceProbe } = compileContracts();
    provider = new JsonRpcProvider(RPC_URL, CHAIN_ID, { staticNetwork: true, pollingInterval: 500, batchMaxCount: 1 });
    wallet = new Wallet(devAccount(ACCOUNTS.trace).privateKey, provider);
    const factory = new ContractFactory(TraceProbe.abi, TraceProbe.bytecode, wallet);
    const deployed = await Promise.all([factory.deploy({ nonce: await wallet.getNonce() }), factory.deploy({ nonce: (await wallet.getNonce()) + 1 })]);
    await Promise.all(deployed.map((c) => c.deploymentTransaction().wait(1, TX_TIMEOUT_MS)));
    [probeAddress, otherAddress] = await Promise.all(deployed.map((c) => c.getAddress()));
    probe = new Contract(probeAddress, TraceProbe.abi, wallet);
    other = new Contract(otherAddress, TraceProbe.abi, wallet);
    receipt = await (await probe.run(otherAddress, { gasLimit: 300_000 })).wait(1, TX_TIMEOUT_MS);
    assert.equal(receipt.status, 1);
  });

  test("debug_traceTransaction shows the nested call tree with addresses, selectors and the revert reason", async () => {
    const trace = await provider.send("debug_traceTransaction", [receipt.hash, { tracer: "callTracer", tracerConfig: { withLog: true } }]);
    const iface = probe.interface;

    assert.equal(trace.type, "CALL");
    assert.equal(trace.from, lower(wallet.address));
    assert.equal(trace.to, lower(probeAddress));
    assert.equal(trace.input, iface.encodeFunctionData("run", [otherAddress]));
    assert.equal(BigInt(trace.gas), 300_000n);
    assert.equal(BigInt(trace.gasUsed), receipt.gasUsed);
    assert.equal(BigInt(trace.output), 14n);
    assert.equal(trace.error, undefined);

    assert.deepEqual(trace.calls.map((c) => c.type), ["CALL", "STATICCALL", "CALL"]);
    for (const call of trace.calls) {
      assert.equal(call.from, lower(probeAddress));
      assert.equal(call.to, lower(otherAddress));
      assert.ok(BigInt(call.gasUsed) > 0n && BigInt(call.gasUsed) <= BigInt(call.gas));
    }
    const [poke, count, fail] = trace.calls;
    assert.equal(poke.input, iface.encodeFunctionData("poke", [7]));
    assert.equal(BigInt(poke.output), 14n);
    assert.equal(poke.value, "0x0");
    const [log] = poke.logs;
    assert.equal(log.address, lower(otherAddress));
    assert.equal(log.topics[0], iface.getEvent("Poked").topicHash);
    assert.equal(BigInt(log.data), 7n);
    assert.equal(log.position, "0x0");

    assert.equal(count.input, iface.getFunction("count").selector);
    assert.equal(count.value, undefined);
    assert.equal(BigInt(count.output), 7n);

    assert.equal(fail.input.slice(0, 10), iface.getFunction("fail").selector);
    assert.equal(fail.error, "execution reverted");
    assert.equal(fail.revertReason, "nope");
    assert.equal(iface.parseError(fail.output).args[0], "nope");
    assert.equal(fail.calls, undefined);
  });

  test("onlyTopCall drops the children; the top gas is still the receipt's", async () => {
    const trace = await provider.send("debug_traceTransaction", [receipt.hash, { tracer: "callTracer", tracerConfig: { onlyTopCall: true } }]);
    assert.equal(trace.calls, undefined);
    assert.equal(BigInt(trace.gasUsed), receipt.gasUsed);
  });

  test("debug_traceBlockByNumber returns {txHash, result} per transaction in block order", async () => {
    const block = await provider.send("eth_getBlockByNumber", ["0x" + receipt.blockNumber.toString(16), false]);
    const traces = await provider.send("debug_traceBlockByNumber", [block.number, { tracer: "callTracer" }]);
    assert.deepEqual(traces.map((t) => t.txHash), block.transactions);
    const ours = traces.find((t) => t.txHash === receipt.hash);
    assert.equal(ours.result.calls.length, 3);
  });

  test("prestateTracer: what run() read before it ran, and in diffMode what it changed", async () => {
    const pre = await provider.send("debug_traceTransaction", [receipt.hash, { tracer: "prestateTracer" }]);
    for (const address of [wallet.address, probeAddress, otherAddress]) assert.ok(pre[lower(address)], `${address} in the prestate`);
    // other.count is slot 0: 0 before run() (the reverted fail() changes nothing); the sender's nonce is the transaction's.
    assert.equal(BigInt(pre[lower(otherAddress)].storage?.["0x" + "0".repeat(64)] ?? 0), 0n);
    const tx = await provider.getTransaction(receipt.hash);
    assert.equal(pre[lower(wallet.address)].nonce, tx.nonce);
    assert.equal(pre[lower(probeAddress)].code, await provider.getCode(probeAddress, receipt.blockNumber - 1));

    const { pre: before, post: after } = await provider.send("debug_traceTransaction", [receipt.hash, { tracer: "prestateTracer", tracerConfig: { diffMode: true } }]);
    assert.equal(BigInt(after[lower(otherAddress)].storage["0x" + "0".repeat(64)]), 7n);
    assert.equal(after[lower(wallet.address)].nonce, tx.nonce + 1);
    assert.equal(before[lower(probeAddress)], undefined, "the probe itself changed nothing");
  });

  test("the default tracer is geth's struct logger: one entry per opcode in both frames, gas adding up opcode by opcode", async () => {
    const trace = await provider.send("debug_traceTransaction", [receipt.hash, {}]);
    assert.equal(BigInt(trace.gas), receipt.gasUsed);
    assert.equal(trace.failed, false);
    assert.equal(BigInt(trace.returnValue), 14n);
    const logs = trace.structLogs;
    assert.deepEqual(logs.slice(0, 3).map((l) => l.op), ["PUSH1", "PUSH1", "MSTORE"], "solc's free memory pointer set-up");
    const data = getBytes((await provider.getTransaction(receipt.hash)).data);
    const intrinsic = data.reduce((gas, b) => gas + (b === 0 ? 4 : 16), 21_000);
    assert.equal(logs[0].gas, 300_000 - intrinsic);
    // Consecutive opcodes of one frame: gas before the next = gas before this one - its cost (calls give back what their callee left).
    const top = logs.filter((l) => l.depth === 1);
    for (let i = 1; i < top.length; i++) {
      if (["CALL", "STATICCALL", "DELEGATECALL", "CREATE", "CREATE2"].includes(top[i - 1].op)) continue;
      assert.equal(top[i].gas, top[i - 1].gas - top[i - 1].gasCost, `${top[i - 1].op} at pc ${top[i - 1].pc}`);
    }
    assert.deepEqual([...new Set(logs.map((l) => l.depth))].sort(), [1, 2]);
    assert.deepEqual(logs.filter((l) => l.depth === 1 && l.op.endsWith("CALL")).map((l) => l.op), ["CALL", "STATICCALL", "CALL"]);
    // The callee's SSTORE of 7 shows in its storage snapshot; the last callee frame reverts.
    const store = logs.find((l) => l.depth === 2 && l.op === "SSTORE");
    assert.equal(BigInt("0x" + Object.values(store.storage)[0]), 7n);
    assert.equal(logs.filter((l) => l.depth === 2).at(-1).op, "REVERT");
    assert.equal(logs.at(-1).op, "RETURN");

    const lean = await provider.send("debug_traceTransaction", [receipt.hash, { disableStack: true, enableMemory: true, limit: 50 }]);
    assert.equal(lean.structLogs.length, 50);
    assert.ok(lean.structLogs.every((l) => l.stack === undefined));
    assert.ok(lean.structLogs.slice(3).every((l) => l.memory.every((w) => /^[0-9a-f]{64}$/.test(w))));
  });

  test("debug_traceCall traces without sending; unknown tracers and hashes are JSON-RPC errors", async () => {
    const before = await other.count();
    const trace = await provider.send("debug_traceCall", [
      { from: wallet.address, to: probeAddress, data: probe.interface.encodeFunctionData("run", [otherAddress]) }, "latest", { tracer: "callTracer" }]);
    assert.equal(trace.calls[2].revertReason, "nope");
    assert.equal(await other.count(), before);

    await assert.rejects(provider.send("debug_traceTransaction", [receipt.hash, { tracer: "muxTracer" }]), /tracer not found/);
    await assert.rejects(provider.send("debug_traceTransaction", ["0x" + "ab".repeat(32), { tracer: "callTracer" }]), /transaction not found/);
  });
});
