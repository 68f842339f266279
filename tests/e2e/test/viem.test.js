// viem against the PWR EVM JSON-RPC wrapper: same scenarios as the ethers suite.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { BaseError, ContractFunctionRevertedError, createPublicClient, createWalletClient, defineChain, encodeAbiParameters, encodeFunctionData, http, keccak256, parseAbiItem, parseEther, parseUnits } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { compileContracts } from "../lib/compile.js";
import { ACCOUNTS, CHAIN_ID, RPC_URL, TEST_TIMEOUT_MS, TX_TIMEOUT_MS, devAccount } from "../lib/env.js";

export const pwrEvm = defineChain({
  id: CHAIN_ID, name: "PWR EVM devnet", nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
  rpcUrls: { default: { http: [RPC_URL] } },
});

/** The revert reason or custom error name of a viem contract error. */
function revertOf(e) {
  assert.ok(e instanceof BaseError, String(e));
  const r = e.walk((x) => x instanceof ContractFunctionRevertedError);
  assert.ok(r instanceof ContractFunctionRevertedError, e.shortMessage);
  return r.data?.errorName === "Error" ? r.reason : r.data?.errorName ?? r.reason;
}

describe("viem", { timeout: TEST_TIMEOUT_MS }, () => {
  let artifacts, publicClient, walletClient, account, tokenAddress, nftAddress, deployBlock;
  const receiver = devAccount(ACCOUNTS.receiver).address;
  const TRANSFER = parseAbiItem("event Transfer(address indexed from, address indexed to, uint256 value)");
  const wait = (hash) => publicClient.waitForTransactionReceipt({ hash, timeout: TX_TIMEOUT_MS, pollingInterval: 500 });

  before(() => {
    artifacts = compileContracts();
    account = privateKeyToAccount(devAccount(ACCOUNTS.viem).privateKey);
    publicClient = createPublicClient({ chain: pwrEvm, transport: http(RPC_URL), pollingInterval: 500 });
    walletClient = createWalletClient({ account, chain: pwrEvm, transport: http(RPC_URL) });
  });

  test("network: chain id and a funded account", async () => {
    assert.equal(await publicClient.getChainId(), CHAIN_ID);
    assert.ok((await publicClient.getBalance({ address: account.address })) > parseEther("1"));
    assert.ok((await publicClient.getBlockNumber()) >= 0n);
  });

  test("deploys the ERC-20 (EIP-1559) and waits for its receipt", async () => {
    const hash = await walletClient.deployContract({ abi: artifacts.TestToken.abi, bytecode: artifacts.TestToken.bytecode, args: [parseUnits("1000000", 18)] });
    const receipt = await wait(hash);
    assert.equal(receipt.status, "success");
    assert.equal(receipt.type, "eip1559");
    tokenAddress = receipt.contractAddress;
    deployBlock = receipt.blockNumber;
    const read = (functionName, args = []) => publicClient.readContract({ address: tokenAddress, abi: artifacts.TestToken.abi, functionName, args });
    assert.equal(await read("name"), "PWR Test Token");
    assert.equal(await read("totalSupply"), parseUnits("1000000", 18));
    assert.equal(await read("balanceOf", [account.address]), parseUnits("1000000", 18));
  });

  test("ERC-20 transfer as EIP-1559 via simulate + write", async () => {
    const { request, result } = await publicClient.simulateContract({ account, address: tokenAddress, abi: artifacts.TestToken.abi, functionName: "transfer", args: [receiver, 1000n] });
    assert.equal(result, true);
    const hash = await walletClient.writeContract({ ...request, type: "eip1559" });
    const receipt = await wait(hash);
    assert.equal(receipt.status, "success");
    assert.equal(receipt.type, "eip1559");
    const tx = await publicClient.getTransaction({ hash });
    assert.equal(tx.type, "eip1559");
    assert.ok(tx.maxFeePerGas > 0n);
  });

  test("ERC-20 transfer as a legacy transaction", async () => {
    const gasPrice = await publicClient.getGasPrice();
    const hash = await walletClient.writeContract({ address: tokenAddress, abi: artifacts.TestToken.abi, functionName: "transfer", args: [receiver, 500n], type: "legacy", gasPrice });
    const receipt = await wait(hash);
    assert.equal(receipt.status, "success");
    assert.equal(receipt.type, "legacy");
    const tx = await publicClient.getTransaction({ hash });
    assert.equal(tx.type, "legacy");
    assert.equal(tx.gasPrice, gasPrice);
    assert.equal(await publicClient.readContract({ address: tokenAddress, abi: artifacts.TestToken.abi, functionName: "balanceOf", args: [receiver] }) >= 1500n, true);
  });

  test("plain ETH transfers, legacy and EIP-1559", async () => {
    const h0 = await walletClient.sendTransaction({ to: receiver, value: parseEther("0.1"), type: "legacy" });
    const r0 = await wait(h0);
    const h2 = await walletClient.sendTransaction({ to: receiver, value: parseEther("0.1"), type: "eip1559" });
    const r2 = await wait(h2);
    assert.equal(r0.status, "success");
    assert.equal(r2.status, "success");
    assert.equal(r0.gasUsed, 21000n);
    assert.ok(r2.effectiveGasPrice > 0n);
  });

  test("getLogs / getContractEvents find the Transfer events", async () => {
    const logs = await publicClient.getLogs({ address: tokenAddress, event: TRANSFER, fromBlock: deployBlock, toBlock: "latest" });
    assert.deepEqual(logs.map((l) => l.args.value), [parseUnits("1000000", 18), 1000n, 500n]);
    const toReceiver = await publicClient.getContractEvents({ address: tokenAddress, abi: artifacts.TestToken.abi, eventName: "Transfer", args: { to: receiver }, fromBlock: deployBlock });
    assert.deepEqual(toReceiver.map((l) => l.args.value), [1000n, 500n]);
  });

  test("decodes revert reasons: eth_call, simulate, estimateGas and a mined reverted transaction", async () => {
    const abi = artifacts.TestToken.abi;
    await assert.rejects(publicClient.readContract({ address: tokenAddress, abi, functionName: "failWith", args: ["viem says no"] }),
      (e) => revertOf(e) === "viem says no");
    await assert.rejects(publicClient.readContract({ address: tokenAddress, abi, functionName: "mustBePositive", args: [0n] }),
      (e) => revertOf(e) === "TestToken: x must be positive");
    await assert.rejects(publicClient.simulateContract({ account, address: tokenAddress, abi, functionName: "transfer", args: [receiver, parseUnits("5000000", 18)] }),
      (e) => revertOf(e) === "ERC20InsufficientBalance");
    await assert.rejects(publicClient.estimateContractGas({ account, address: tokenAddress, abi, functionName: "failWith", args: ["estimate"] }),
      (e) => revertOf(e) === "estimate");
    const hash = await walletClient.writeContract({ address: tokenAddress, abi, functionName: "failWith", args: ["mined"], gas: 100_000n });
    const receipt = await wait(hash);
    assert.equal(receipt.status, "reverted");
  });

  test("deploys the ERC-721 (legacy), mints, transfers, reads its events", async () => {
    const abi = artifacts.TestNft.abi;
    const hash = await walletClient.deployContract({ abi, bytecode: artifacts.TestNft.bytecode, type: "legacy" });
    const deployReceipt = await wait(hash);
    assert.equal(deployReceipt.type, "legacy");
    nftAddress = deployReceipt.contractAddress;
    await wait(await walletClient.writeContract({ address: nftAddress, abi, functionName: "mint", args: [account.address] }));
    assert.equal(await publicClient.readContract({ address: nftAddress, abi, functionName: "ownerOf", args: [1n] }), account.address);
    const r = await wait(await walletClient.writeContract({ address: nftAddress, abi, functionName: "safeTransferFrom", args: [account.address, receiver, 1n] }));
    assert.equal(r.status, "success");
    assert.equal(await publicClient.readContract({ address: nftAddress, abi, functionName: "ownerOf", args: [1n] }), receiver);
    const events = await publicClient.getContractEvents({ address: nftAddress, abi, eventName: "Transfer", args: { tokenId: 1n }, fromBlock: deployReceipt.blockNumber });
    assert.equal(events.length, 2);
    assert.equal(events[1].args.to, receiver);
    await assert.rejects(publicClient.readContract({ address: nftAddress, abi, functionName: "ownerOf", args: [42n] }), (e) => revertOf(e) === "ERC721NonexistentToken");
  });

  test("getProof proves the ERC-20 balance slot under the block's state root (EIP-1186)", async () => {
    const blockNumber = await publicClient.getBlockNumber();
    const block = await publicClient.getBlock({ blockNumber });
    // OpenZeppelin's ERC20 keeps _balances at slot 0: an account's entry is keccak256(abi.encode(account, 0)).
    const slot = keccak256(encodeAbiParameters([{ type: "address" }, { type: "uint256" }], [account.address, 0n]));
    const proof = await publicClient.getProof({ address: tokenAddress, storageKeys: [slot], blockNumber });
    const balance = await publicClient.readContract({ address: tokenAddress, abi: artifacts.TestToken.abi, functionName: "balanceOf", args: [account.address], blockNumber });
    assert.equal(proof.address.toLowerCase(), tokenAddress.toLowerCase());
    assert.equal(proof.storageProof[0].key, slot);
    assert.equal(proof.storageProof[0].value, balance);
    assert.ok(balance > 0n);
    assert.equal(proof.nonce, 1);
    // Each proof starts at the node its root names: the block's state root, then the account's storage root.
    assert.equal(keccak256(proof.accountProof[0]), block.stateRoot);
    assert.equal(keccak256(proof.storageProof[0].proof[0]), proof.storageHash);
    assert.equal(proof.codeHash, keccak256(await publicClient.getCode({ address: tokenAddress, blockNumber })));
  });

  test("createAccessList names the ERC-20's two balance slots; the transfer sent with it (EIP-2930) uses the gas it said", async () => {
    const data = encodeFunctionData({ abi: artifacts.TestToken.abi, functionName: "transfer", args: [receiver, 5n] });
    const { accessList, gasUsed } = await publicClient.createAccessList({ account, to: tokenAddress, data });
    const balanceSlot = (a) => keccak256(encodeAbiParameters([{ type: "address" }, { type: "uint256" }], [a, 0n]));
    assert.equal(accessList.length, 1, JSON.stringify(accessList));
    assert.equal(accessList[0].address.toLowerCase(), tokenAddress.toLowerCase());
    assert.deepEqual([...accessList[0].storageKeys].sort(), [balanceSlot(account.address), balanceSlot(receiver)].sort());

    const hash = await walletClient.sendTransaction({ to: tokenAddress, data, accessList, type: "eip2930" });
    const receipt = await wait(hash);
    assert.equal(receipt.status, "success");
    assert.equal(receipt.type, "eip2930");
    assert.equal(receipt.gasUsed, gasUsed);
    assert.equal(await publicClient.getBlobBaseFee(), 1n);
  });

  test("readContract with a stateOverride (stateDiff of the ERC-20's balance slot) sees the override; nothing is written", async () => {
    const stranger = "0x00000000000000000000000000000000000fee01";
    const slot = keccak256(encodeAbiParameters([{ type: "address" }, { type: "uint256" }], [stranger, 0n]));
    const read = (stateOverride) => publicClient.readContract({ address: tokenAddress, abi: artifacts.TestToken.abi, functionName: "balanceOf", args: [stranger], stateOverride });
    const value = encodeAbiParameters([{ type: "uint256" }], [12_345n]);
    assert.equal(await read([{ address: tokenAddress, stateDiff: [{ slot, value }] }]), 12_345n);
    assert.equal(await read(undefined), 0n);
    assert.equal(await publicClient.getBalance({ address: stranger }), 0n);
  });

  test("blocks, fee history and nonces", async () => {
    const block = await publicClient.getBlock({ blockNumber: deployBlock, includeTransactions: true });
    assert.ok(block.transactions.length >= 1);
    assert.ok(block.baseFeePerGas !== null);
    const fees = await publicClient.estimateFeesPerGas();
    assert.ok(fees.maxFeePerGas >= fees.maxPriorityFeePerGas);
    const history = await publicClient.getFeeHistory({ blockCount: 4, rewardPercentiles: [50] });
    assert.ok(history.baseFeePerGas.length >= 1);
    assert.equal(await publicClient.getTransactionCount({ address: account.address }), await publicClient.getTransactionCount({ address: account.address, blockTag: "pending" }));
  });
});
