// The dApp page's script (bundled with esbuild by the browser test): runs the e2e scenario with viem in the browser and
// publishes the outcome as window.__e2e = { done, steps: [{ name, ok, detail }] }.
import { ContractFunctionRevertedError, createPublicClient, createWalletClient, defineChain, http, parseAbiItem, parseEther, parseUnits } from "viem";
import { privateKeyToAccount } from "viem/accounts";

const state = (window.__e2e = { done: false, steps: [] });
const $ = (id) => document.getElementById(id);

async function step(name, fn) {
  const li = document.createElement("li");
  li.textContent = name + " …";
  $("steps").appendChild(li);
  try {
    const detail = await fn();
    state.steps.push({ name, ok: true, detail: detail === undefined ? "" : String(detail) });
    li.className = "ok";
    li.textContent = `${name}: ok ${detail ?? ""}`;
    return true;
  } catch (e) {
    state.steps.push({ name, ok: false, detail: e?.shortMessage ?? e?.message ?? String(e) });
    li.className = "fail";
    li.textContent = `${name}: FAILED ${e?.shortMessage ?? e?.message ?? e}`;
    return false;
  }
}
function check(cond, message) { if (!cond) throw new Error(message); }

async function main() {
  const config = await (await fetch("./config.json")).json();
  const artifacts = await (await fetch("./artifacts.json")).json();
  const chain = defineChain({ id: config.chainId, name: "PWR EVM devnet", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 }, rpcUrls: { default: { http: [config.rpcUrl] } } });
  const account = privateKeyToAccount(config.privateKey);
  const publicClient = createPublicClient({ chain, transport: http(config.rpcUrl), pollingInterval: 500 });
  const walletClient = createWalletClient({ account, chain, transport: http(config.rpcUrl) });
  const wait = (hash) => publicClient.waitForTransactionReceipt({ hash, timeout: config.txTimeoutMs, pollingInterval: 500 });
  const { TestToken, TestNft } = artifacts;
  const receiver = config.receiver;
  let token, nft, deployBlock;

  $("status").textContent = `account ${account.address} on ${config.rpcUrl}`;
  await step("chain id", async () => { const id = await publicClient.getChainId(); check(id === config.chainId, `chain id ${id}`); return id; });
  await step("balance", async () => { const b = await publicClient.getBalance({ address: account.address }); check(b > parseEther("1"), `balance ${b}`); return b; });
  const deployed = await step("deploy ERC-20 (EIP-1559)", async () => {
    const r = await wait(await walletClient.deployContract({ abi: TestToken.abi, bytecode: TestToken.bytecode, args: [parseUnits("1000", 18)] }));
    check(r.status === "success" && r.type === "eip1559", `${r.status} ${r.type}`);
    token = r.contractAddress; deployBlock = r.blockNumber;
    return token;
  });
  if (deployed) {
    await step("ERC-20 transfer (EIP-1559)", async () => {
      const r = await wait(await walletClient.writeContract({ address: token, abi: TestToken.abi, functionName: "transfer", args: [receiver, 7n], type: "eip1559" }));
      check(r.status === "success" && r.type === "eip1559", `${r.status} ${r.type}`);
      return r.blockNumber;
    });
    await step("ERC-20 transfer (legacy)", async () => {
      const r = await wait(await walletClient.writeContract({ address: token, abi: TestToken.abi, functionName: "transfer", args: [receiver, 8n], type: "legacy", gasPrice: await publicClient.getGasPrice() }));
      check(r.status === "success" && r.type === "legacy", `${r.status} ${r.type}`);
      return r.blockNumber;
    });
    await step("balanceOf", async () => {
      const b = await publicClient.readContract({ address: token, abi: TestToken.abi, functionName: "balanceOf", args: [receiver] });
      check(b === 15n, `receiver has ${b}`);
      return b;
    });
    await step("getLogs", async () => {
      const logs = await publicClient.getLogs({ address: token, event: parseAbiItem("event Transfer(address indexed from, address indexed to, uint256 value)"), fromBlock: deployBlock });
      check(logs.map((l) => l.args.value).join(",") === [parseUnits("1000", 18), 7n, 8n].join(","), `logs ${logs.map((l) => l.args.value)}`);
      return logs.length;
    });
    await step("revert reason", async () => {
      try {
        await publicClient.readContract({ address: token, abi: TestToken.abi, functionName: "failWith", args: ["browser says no"] });
      } catch (e) {
        const r = e.walk((x) => x instanceof ContractFunctionRevertedError);
        check(r?.reason === "browser says no", `reason ${r?.reason} (${e.shortMessage})`);
        return r.reason;
      }
      throw new Error("the call did not revert");
    });
  }
  await step("ERC-721 deploy, mint, transfer", async () => {
    const r = await wait(await walletClient.deployContract({ abi: TestNft.abi, bytecode: TestNft.bytecode, type: "legacy" }));
    nft = r.contractAddress;
    await wait(await walletClient.writeContract({ address: nft, abi: TestNft.abi, functionName: "mint", args: [account.address] }));
    const t = await wait(await walletClient.writeContract({ address: nft, abi: TestNft.abi, functionName: "transferFrom", args: [account.address, receiver, 1n] }));
    check(t.status === "success", t.status);
    const owner = await publicClient.readContract({ address: nft, abi: TestNft.abi, functionName: "ownerOf", args: [1n] });
    check(owner === receiver, `owner ${owner}`);
    const events = await publicClient.getContractEvents({ address: nft, abi: TestNft.abi, eventName: "Transfer", fromBlock: r.blockNumber });
    check(events.length === 2, `${events.length} events`);
    return nft;
  });
  $("status").textContent = state.steps.every((s) => s.ok) ? "all steps passed" : "some steps failed";
}

main().catch((e) => state.steps.push({ name: "page", ok: false, detail: String(e?.stack ?? e) })).finally(() => { state.done = true; });
