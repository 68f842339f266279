// Shared settings of the e2e suites: the wrapper's URLs, the chain id, the funded dev accounts.
import { HDNodeWallet, Mnemonic } from "ethers";

export const RPC_URL = process.env.PWR_EVM_RPC ?? "http://127.0.0.1:8545";
export const WS_URL = process.env.PWR_EVM_WS ?? RPC_URL.replace(/^http/, "ws");
export const CHAIN_ID = 31337;
export const MNEMONIC = "test test test test test test test test test test test junk";
/** Generous: blocks are final in ~1-2 s, much more on a loaded machine. */
export const TX_TIMEOUT_MS = Number(process.env.PWR_E2E_TX_TIMEOUT_MS ?? 120_000);
export const TEST_TIMEOUT_MS = Number(process.env.PWR_E2E_TEST_TIMEOUT_MS ?? 600_000);

/** The i-th Hardhat/Anvil account ("test test ... junk", m/44'/60'/0'/0/i): { address, privateKey }. */
export function devAccount(i) {
  const w = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase(MNEMONIC), `m/44'/60'/0'/0/${i}`);
  return { address: w.address, privateKey: w.privateKey };
}

// Each suite uses its own sender so that the files can run in parallel without nonce races.
export const ACCOUNTS = { ethers: 0, viem: 1, web3: 2, browser: 3, badInput: 4, subscriptions: 5, trace: 7, replacement: 8, receiver: 9 };

/** One raw JSON-RPC call (or batch) over fetch: returns the parsed response body and the HTTP status. */
export async function rawRpc(body, { raw = false } = {}) {
  const res = await fetch(RPC_URL, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: raw ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, json, text };
}

let nextId = 1;
export async function rpc(method, params = []) {
  const { json } = await rawRpc({ jsonrpc: "2.0", id: nextId++, method, params });
  return json;
}
