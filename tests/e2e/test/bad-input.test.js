// Bad input over raw JSON-RPC (fetch): malformed JSON and RLP, bad signatures, wrong chain id, oversized calldata,
// unknown methods, bad params. Each gets a JSON-RPC error, the wrapper keeps answering, and nothing reaches a block.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { Transaction, Wallet, decodeRlp, encodeRlp, getBytes, hexlify, keccak256, parseEther, toBeHex } from "ethers";
import { ACCOUNTS, CHAIN_ID, TEST_TIMEOUT_MS, devAccount, rawRpc, rpc } from "../lib/env.js";

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

describe("bad input", { timeout: TEST_TIMEOUT_MS }, () => {
  const wallet = new Wallet(devAccount(ACCOUNTS.badInput).privateKey);
  const receiver = devAccount(ACCOUNTS.receiver).address;
  let nonce, gasPrice;
  /** Hashes of raw transactions that were refused: none of them may ever get a receipt. */
  const refused = [];

  before(async () => {
    nonce = Number(BigInt((await rpc("eth_getTransactionCount", [wallet.address, "latest"])).result));
    gasPrice = BigInt((await rpc("eth_gasPrice")).result);
  });

  const baseTx = (over = {}) => ({ type: 2, chainId: CHAIN_ID, nonce, to: receiver, value: parseEther("0.001"), gasLimit: 21000n,
    maxFeePerGas: gasPrice * 2n, maxPriorityFeePerGas: gasPrice, ...over });

  /** Sends a raw transaction that must be refused; returns the error object. */
  async function refusedRaw(raw, label) {
    const { status, json } = await rawRpc({ jsonrpc: "2.0", id: label, method: "eth_sendRawTransaction", params: [raw] });
    assert.equal(status, 200, `${label}: HTTP ${status}`);
    assert.equal(json?.jsonrpc, "2.0", `${label}: ${JSON.stringify(json)}`);
    assert.equal(json.id, label);
    assert.equal(json.result, undefined, `${label}: accepted as ${json.result}`);
    assert.equal(typeof json.error?.code, "number", `${label}: ${JSON.stringify(json)}`);
    assert.equal(typeof json.error.message, "string");
    if (/^0x[0-9a-fA-F]*$/.test(raw) && raw.length % 2 === 0) refused.push(keccak256(raw));
    return json.error;
  }

  /** Re-signs nothing: decodes a signed type-2 envelope, edits its RLP fields, re-encodes. */
  function editType2(raw, edit) {
    const fields = decodeRlp("0x" + raw.slice(4));
    edit(fields);
    return "0x02" + encodeRlp(fields).slice(2);
  }

  test("malformed JSON is a parse error (-32700)", async () => {
    const { status, json } = await rawRpc('{"jsonrpc":"2.0","id":1,"method":"eth_chainId"', { raw: true });
    assert.ok(status === 200 || status === 400, `HTTP ${status}`);
    assert.equal(json.error.code, -32700);
    assert.equal(json.id, null);
  });

  test("invalid requests are -32600", async () => {
    for (const body of [{ id: 1, method: "eth_chainId" }, { jsonrpc: "2.0", id: 2, method: 5 }, 42, []]) {
      const { json } = await rawRpc(body);
      const error = Array.isArray(json) ? json[0].error : json.error;
      assert.equal(error?.code, -32600, JSON.stringify({ body, json }));
    }
  });

  test("unknown methods are -32601", async () => {
    for (const method of ["eth_doesNotExist", "debug_traceTransaction_x", "personal_unlockAccountX", ""]) {
      const json = await rpc(method, []);
      assert.equal(json.error?.code, -32601, JSON.stringify({ method, json }));
    }
  });

  test("bad params are -32602 (or a JSON-RPC error), never a result", async () => {
    const cases = [
      ["eth_getBalance", ["0xzz", "latest"]],
      ["eth_getBalance", ["0x1234", "latest"]],
      ["eth_getBalance", [wallet.address, "not-a-tag"]],
      ["eth_getBalance", []],
      ["eth_getTransactionReceipt", ["0x12"]],
      ["eth_getTransactionReceipt", [12345]],
      ["eth_getBlockByNumber", ["0xzz", false]],
      ["eth_call", [{ to: "0x1", data: "0x" }, "latest"]],
      ["eth_call", ["not an object", "latest"]],
      ["eth_getLogs", [{ address: "nope" }]],
      ["eth_getLogs", [{ topics: ["0x12"] }]],
      ["eth_newFilter", [{ address: "nope" }]],
      ["eth_newFilter", [{ topics: ["0x1234"] }]],
      ["eth_getFilterChanges", ["0xdeadbeef"]],
      ["eth_getFilterLogs", ["zz"]],
      ["eth_sendRawTransaction", []],
      ["eth_sendRawTransaction", [123]],
      ["eth_sendRawTransaction", ["not hex"]],
    ];
    for (const [method, params] of cases) {
      const json = await rpc(method, params);
      assert.equal(json.result, undefined, JSON.stringify({ method, params, json }));
      assert.equal(typeof json.error?.code, "number", JSON.stringify({ method, params, json }));
      assert.ok([-32602, -32600, -32000].includes(json.error.code), JSON.stringify({ method, params, json }));
    }
    // an unknown filter id: false, as geth
    assert.equal((await rpc("eth_uninstallFilter", ["0x99999"])).result, false);
    const p = await rawRpc({ jsonrpc: "2.0", id: 7, method: "eth_getBalance", params: { address: wallet.address } });
    assert.equal(p.json.error?.code, -32602, JSON.stringify(p.json));
  });

  test("eth_getLogs with fromBlock > toBlock is an error, as in geth",
    async () => {
    const head = BigInt((await rpc("eth_blockNumber")).result);
    const json = await rpc("eth_getLogs", [{ fromBlock: toBeHex(head), toBlock: toBeHex(head - 1n) }]);
    assert.equal(json.result, undefined, JSON.stringify(json));
    assert.equal(typeof json.error?.code, "number");
  });

  test("a batch answers each request on its own", async () => {
    const { json } = await rawRpc([
      { jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] },
      { jsonrpc: "2.0", id: 2, method: "eth_nope", params: [] },
      { jsonrpc: "2.0", id: 3, method: "eth_sendRawTransaction", params: ["0xc0"] },
    ]);
    assert.equal(json.length, 3);
    const byId = Object.fromEntries(json.map((r) => [r.id, r]));
    assert.equal(byId[1].result, "0x7a69");
    assert.equal(byId[2].error.code, -32601);
    assert.equal(typeof byId[3].error.code, "number");
  });

  test("malformed RLP is refused", async () => {
    const good = await wallet.signTransaction(baseTx());
    for (const [label, raw] of [
      ["empty", "0x"],
      ["junk", "0xdeadbeef"],
      ["truncated", good.slice(0, good.length - 20)],
      ["trailing bytes", good + "00"],
      ["unknown type 0x05", "0x05" + good.slice(4)],
      ["blob type 0x03 without blobs", "0x03" + good.slice(4)],
      ["list header longer than payload", "0x02f9ffff" + good.slice(8)],
      ["odd hex", good.slice(0, -1)],
    ]) await refusedRaw(raw, label);
  });

  test("bad signatures are refused", async () => {
    const good = await wallet.signTransaction(baseTx());
    const cases = {
      "r = 0": (f) => { f[10] = "0x"; },
      "s = 0": (f) => { f[11] = "0x"; },
      "yParity = 2": (f) => { f[9] = "0x02"; },
      "high s (EIP-2)": (f) => { f[11] = toBeHex(SECP256K1_N - BigInt(f[11])); f[9] = f[9] === "0x" ? "0x01" : "0x"; },
      "r >= n": (f) => { f[10] = toBeHex(SECP256K1_N + 1n); },
    };
    for (const [label, edit] of Object.entries(cases)) await refusedRaw(editType2(good, edit), label);
    // unsigned transaction
    await refusedRaw(Transaction.from(baseTx()).unsignedSerialized, "unsigned");
    // a legacy transaction with a v that is neither 27/28 nor EIP-155 for any chain id
    const legacy = Transaction.from(await wallet.signTransaction(baseTx({ type: 0, gasPrice: gasPrice * 2n, maxFeePerGas: undefined, maxPriorityFeePerGas: undefined })));
    const fields = decodeRlp(legacy.serialized);
    fields[6] = "0x1f"; // v = 31
    await refusedRaw(encodeRlp(fields), "legacy v = 31");
  });

  test("wrong chain id is refused (EIP-1559, EIP-155 legacy)", async () => {
    const e1 = await refusedRaw(await wallet.signTransaction(baseTx({ chainId: 1 })), "chain 1 type 2");
    assert.match(e1.message, /chain/i);
    const legacy = baseTx({ type: 0, chainId: 1, gasPrice: gasPrice * 2n, maxFeePerGas: undefined, maxPriorityFeePerGas: undefined });
    const e0 = await refusedRaw(await wallet.signTransaction(legacy), "chain 1 legacy");
    assert.match(e0.message, /chain/i);
  });

  test("oversized calldata is refused", async () => {
    const data = hexlify(new Uint8Array(200 * 1024).fill(1));
    const raw = await wallet.signTransaction(baseTx({ data, gasLimit: 29_000_000n }));
    const e = await refusedRaw(raw, "200 KiB calldata");
    assert.match(e.message, /oversized|too large|size/i);
    // larger than the HTTP body limit: still an answer (JSON-RPC error or HTTP 413), and the wrapper keeps answering
    const big = "0x" + "ab".repeat(17 * 1024 * 1024);
    let res;
    try {
      res = await fetch(process.env.PWR_EVM_RPC ?? "http://127.0.0.1:8545", { method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_sendRawTransaction", params: [big] }) });
    } catch { res = undefined; /* a connection reset after the limit is acceptable */ }
    if (res) {
      assert.ok(res.status === 413 || res.status === 200, `HTTP ${res.status}`);
      if (res.status === 200) assert.equal(typeof (await res.json()).error?.code, "number");
    }
    assert.equal((await rpc("eth_chainId")).result, "0x7a69");
  });

  test("transactions that cannot pay or have a wrong nonce are refused", async () => {
    const poor = Wallet.createRandom();
    await refusedRaw(await poor.signTransaction(baseTx({ nonce: 0 })), "no funds");
    await refusedRaw(await wallet.signTransaction(baseTx({ nonce: nonce + 1000 })), "nonce gap");
    if (nonce > 0) await refusedRaw(await wallet.signTransaction(baseTx({ nonce: nonce - 1 })), "nonce too low");
    await refusedRaw(await wallet.signTransaction(baseTx({ maxFeePerGas: 1n, maxPriorityFeePerGas: 1n })), "fee below base fee");
    await refusedRaw(await wallet.signTransaction(baseTx({ gasLimit: 20000n })), "intrinsic gas too low");
    await refusedRaw(await wallet.signTransaction(baseTx({ gasLimit: 10n ** 12n })), "gas above block limit");
  });

  test("a same-nonce transaction without a fee bump is refused (replacement transaction underpriced)",
    async () => {
    const probe = new Wallet(devAccount(ACCOUNTS.replacement).privateKey);
    const n = Number(BigInt((await rpc("eth_getTransactionCount", [probe.address, "pending"])).result));
    const tx = (value) => probe.signTransaction(baseTx({ nonce: n, value }));
    const first = await rpc("eth_sendRawTransaction", [await tx(1n)]);
    assert.ok(first.result, JSON.stringify(first));
    const second = await rpc("eth_sendRawTransaction", [await tx(2n)]);
    assert.equal(second.result, undefined, "accepted: " + JSON.stringify(second));
    assert.match(second.error.message, /underpriced|replacement|already/i);
  });

  test("nothing refused reached a block; the wrapper still works and a good transaction goes through", async () => {
    const good = await wallet.signTransaction(baseTx());
    const sent = await rpc("eth_sendRawTransaction", [good]);
    assert.equal(sent.result, keccak256(good), JSON.stringify(sent));
    const duplicate = await rpc("eth_sendRawTransaction", [good]);
    assert.equal(typeof duplicate.error?.code, "number", "a duplicate is refused: " + JSON.stringify(duplicate));
    let receipt;
    for (let i = 0; i < 240 && !receipt; i++) {
      receipt = (await rpc("eth_getTransactionReceipt", [sent.result])).result;
      if (!receipt) await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(receipt, "the good transaction has no receipt");
    assert.equal(receipt.status, "0x1");
    // the refused ones, checked after the good one (sent later) was executed
    for (const hash of refused) {
      assert.equal((await rpc("eth_getTransactionReceipt", [hash])).result, null, `refused ${hash} has a receipt`);
      assert.equal((await rpc("eth_getTransactionByHash", [hash])).result, null, `refused ${hash} is known`);
    }
    const after = Number(BigInt((await rpc("eth_getTransactionCount", [wallet.address, "latest"])).result));
    assert.equal(after, nonce + 1);
  });
});
