// ethers v6 against the PWR EVM JSON-RPC wrapper: deploy OpenZeppelin ERC-20/ERC-721, transfer, logs, revert reasons,
// legacy (type 0) and EIP-1559 (type 2) transactions, receipts.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { Contract, ContractFactory, JsonRpcProvider, NonceManager, Wallet, id as topicOf, isError, parseEther, parseUnits } from "ethers";
import { compileContracts } from "../lib/compile.js";
import { ACCOUNTS, CHAIN_ID, RPC_URL, TEST_TIMEOUT_MS, TX_TIMEOUT_MS, devAccount } from "../lib/env.js";

const TRANSFER = topicOf("Transfer(address,address,uint256)");

describe("ethers v6", { timeout: TEST_TIMEOUT_MS }, () => {
  /** @type {JsonRpcProvider} */ let provider;
  /** @type {Wallet} */ let wallet;
  let artifacts, token, nft, tokenAddress, nftAddress, deployBlock;
  const receiver = devAccount(ACCOUNTS.receiver).address;
  const wait = (tx) => tx.wait(1, TX_TIMEOUT_MS);

  before(async () => {
    artifacts = compileContracts();
    provider = new JsonRpcProvider(RPC_URL, CHAIN_ID, { staticNetwork: true, pollingInterval: 500, batchMaxCount: 1 });
    wallet = new Wallet(devAccount(ACCOUNTS.ethers).privateKey, provider);
  });

  test("network: chain id 31337 and a funded dev account", async () => {
    assert.equal((await provider.getNetwork()).chainId, BigInt(CHAIN_ID));
    assert.equal(await provider.send("eth_chainId", []), "0x7a69");
    assert.ok((await provider.getBalance(wallet.address)) > parseEther("1"));
    assert.ok((await provider.getBlockNumber()) >= 0);
  });

  test("deploys the ERC-20 (EIP-1559) and waits for its receipt", async () => {
    const factory = new ContractFactory(artifacts.TestToken.abi, artifacts.TestToken.bytecode, wallet);
    const contract = await factory.deploy(parseUnits("1000000", 18));
    const receipt = await wait(contract.deploymentTransaction());
    assert.equal(receipt.status, 1);
    assert.equal(receipt.type, 2);
    tokenAddress = await contract.getAddress();
    assert.equal(receipt.contractAddress, tokenAddress);
    deployBlock = receipt.blockNumber;
    token = new Contract(tokenAddress, artifacts.TestToken.abi, wallet);
    assert.notEqual(await provider.getCode(tokenAddress), "0x");
    assert.equal(await token.symbol(), "PTT");
    assert.equal(await token.totalSupply(), parseUnits("1000000", 18));
    assert.equal(await token.balanceOf(wallet.address), parseUnits("1000000", 18));
  });

  test("ERC-20 transfer as an EIP-1559 (type 2) transaction", async () => {
    const fee = await provider.getFeeData();
    assert.ok(fee.maxFeePerGas > 0n && fee.maxPriorityFeePerGas > 0n);
    const tx = await token.transfer(receiver, 1000n, { type: 2 });
    assert.equal(tx.type, 2);
    const receipt = await wait(tx);
    assert.equal(receipt.status, 1);
    assert.equal(receipt.type, 2);
    assert.ok(receipt.gasUsed > 21000n);
    const [log] = receipt.logs.map((l) => token.interface.parseLog(l)).filter((l) => l?.name === "Transfer");
    assert.deepEqual([log.args.from, log.args.to, log.args.value], [wallet.address, receiver, 1000n]);
    const fetched = await provider.getTransaction(tx.hash);
    assert.equal(fetched.type, 2);
    assert.equal(fetched.blockNumber, receipt.blockNumber);
    assert.equal(await token.balanceOf(receiver), 1000n);
  });

  test("ERC-20 transfer as a legacy (type 0) transaction with gasPrice", async () => {
    const gasPrice = (await provider.getFeeData()).gasPrice;
    const tx = await token.transfer(receiver, 500n, { type: 0, gasPrice });
    assert.equal(tx.type, 0);
    const receipt = await wait(tx);
    assert.equal(receipt.status, 1);
    assert.equal(receipt.type, 0);
    const fetched = await provider.getTransaction(tx.hash);
    assert.equal(fetched.type, 0);
    assert.equal(fetched.gasPrice, gasPrice);
    assert.equal(fetched.chainId, BigInt(CHAIN_ID));
    assert.equal(await token.balanceOf(receiver), 1500n);
  });

  test("plain ETH transfers, legacy and EIP-1559, change balances", async () => {
    const before = await provider.getBalance(receiver);
    const r0 = await wait(await wallet.sendTransaction({ to: receiver, value: parseEther("0.5"), type: 0 }));
    const r2 = await wait(await wallet.sendTransaction({ to: receiver, value: parseEther("0.25"), type: 2 }));
    assert.equal(r0.status, 1);
    assert.equal(r2.status, 1);
    assert.equal(r0.gasUsed, 21000n);
    assert.ok((await provider.getBalance(receiver)) >= before + parseEther("0.75"));
  });

  test("transactions sent back to back (NonceManager), without waiting, get consecutive nonces and are all mined", async () => {
    // A bare Wallet would reuse the nonce: ethers caches eth_getTransactionCount results for 250 ms (cacheTimeout),
    // as it would against Anvil; NonceManager is ethers' way to send without waiting.
    const signer = new NonceManager(wallet);
    for (let round = 0; round < 3; round++) {
      const a = await signer.sendTransaction({ to: receiver, value: 1n, type: 0 });
      const b = await signer.sendTransaction({ to: receiver, value: 2n, type: 2 });
      assert.equal(b.nonce, a.nonce + 1);
      const [ra, rb] = await Promise.all([wait(a), wait(b)]);
      assert.equal(ra.status, 1);
      assert.equal(rb.status, 1);
    }
  });

  test("getLogs and queryFilter find the Transfer events", async () => {
    const logs = await provider.getLogs({ address: tokenAddress, topics: [TRANSFER], fromBlock: deployBlock, toBlock: "latest" });
    // mint (from 0x0) + two transfers
    assert.equal(logs.length, 3);
    const values = logs.map((l) => token.interface.parseLog(l).args.value);
    assert.deepEqual(values, [parseUnits("1000000", 18), 1000n, 500n]);
    const toReceiver = await token.queryFilter(token.filters.Transfer(null, receiver), deployBlock);
    assert.deepEqual(toReceiver.map((e) => e.args.value), [1000n, 500n]);
    const none = await token.queryFilter(token.filters.Transfer(receiver, null), deployBlock);
    assert.equal(none.length, 0);
  });

  test("decodes revert reasons: eth_call, estimateGas and a mined reverted transaction", async () => {
    await assert.rejects(token.failWith("no way"), (e) => {
      assert.ok(isError(e, "CALL_EXCEPTION"), e.code);
      assert.equal(e.reason, "no way");
      return true;
    });
    await assert.rejects(token.mustBePositive(0), (e) => e.reason === "TestToken: x must be positive");
    // a transfer above the balance: OpenZeppelin 5's custom error ERC20InsufficientBalance
    await assert.rejects(token.transfer.staticCall(receiver, parseUnits("2000000", 18)), (e) => {
      assert.ok(isError(e, "CALL_EXCEPTION"), e.code);
      assert.equal(e.revert?.name, "ERC20InsufficientBalance");
      return true;
    });
    // estimateGas: ethers leaves custom errors undecoded (e.data); the ABI decodes the wrapper's error data
    await assert.rejects(token.transfer.estimateGas(receiver, parseUnits("2000000", 18)), (e) => {
      assert.ok(isError(e, "CALL_EXCEPTION"), e.code);
      const decoded = token.interface.parseError(e.data);
      assert.equal(decoded?.name, "ERC20InsufficientBalance");
      assert.equal(decoded.args[0], wallet.address);
      return true;
    });
    await assert.rejects(token.failWith.estimateGas("estimate says no"), (e) => e.reason === "estimate says no");
    // with an explicit gas limit the transaction skips estimation, is mined and reverts: status 0
    // failWith is pure: .send forces a transaction instead of ethers' default eth_call
    const tx = await token.failWith.send("mined revert", { gasLimit: 100_000n });
    await assert.rejects(wait(tx), (e) => {
      assert.ok(isError(e, "CALL_EXCEPTION"), e.code);
      assert.equal(e.receipt?.status, 0);
      return true;
    });
    const receipt = await provider.getTransactionReceipt(tx.hash);
    assert.equal(receipt.status, 0);
  });

  test("deploys the ERC-721, mints and transfers a token, reads its events", async () => {
    const factory = new ContractFactory(artifacts.TestNft.abi, artifacts.TestNft.bytecode, wallet);
    const contract = await factory.deploy({ type: 0 });
    const deployReceipt = await wait(contract.deploymentTransaction());
    assert.equal(deployReceipt.type, 0);
    nftAddress = await contract.getAddress();
    nft = new Contract(nftAddress, artifacts.TestNft.abi, wallet);
    assert.equal(await nft.name(), "PWR Test NFT");
    const mint = await wait(await nft.mint(wallet.address));
    assert.equal(mint.status, 1);
    assert.equal(await nft.ownerOf(1n), wallet.address);
    const transfer = await wait(await nft.transferFrom(wallet.address, receiver, 1n));
    assert.equal(transfer.status, 1);
    assert.equal(await nft.ownerOf(1n), receiver);
    assert.equal(await nft.balanceOf(receiver), 1n);
    const events = await nft.queryFilter(nft.filters.Transfer(null, null, 1n), deployReceipt.blockNumber);
    assert.equal(events.length, 2);
    assert.equal(events[0].args.from, "0x0000000000000000000000000000000000000000");
    assert.equal(events[1].args.to, receiver);
    await assert.rejects(nft.ownerOf(99n), (e) => e.revert?.name === "ERC721NonexistentToken");
  });

  test("blocks and receipts are consistent", async () => {
    const latest = await provider.getBlock("latest");
    assert.ok(latest.number >= deployBlock);
    const deployTxBlock = await provider.getBlock(deployBlock, true);
    assert.ok(deployTxBlock.transactions.length >= 1);
    assert.ok(deployTxBlock.baseFeePerGas !== null);
    assert.equal(await provider.getTransactionCount(wallet.address, "latest"), await provider.getTransactionCount(wallet.address, "pending"));
  });
});
