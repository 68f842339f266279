// web3.js 4 against the PWR EVM JSON-RPC wrapper: same scenarios as the ethers suite.
import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { Web3 } from "web3";
import { compileContracts } from "../lib/compile.js";
import { ACCOUNTS, CHAIN_ID, RPC_URL, TEST_TIMEOUT_MS, TX_TIMEOUT_MS, devAccount } from "../lib/env.js";

/** web3's ContractExecutionError (decoded by contract calls, EIP-838): the reason string or the custom error's name. */
function revertOf(e) {
  const cause = e?.cause ?? e;
  return cause?.errorName === "Error" ? cause.errorArgs?.message : cause?.errorName;
}

describe("web3.js", { timeout: TEST_TIMEOUT_MS }, () => {
  let web3, artifacts, from, token, nft, tokenAddress, deployBlock;
  const receiver = devAccount(ACCOUNTS.receiver).address;
  const ether = (n) => BigInt(Web3.utils.toWei(n, "ether"));
  const units = (n) => BigInt(n) * 10n ** 18n;

  before(async () => {
    artifacts = compileContracts();
    web3 = new Web3(RPC_URL);
    web3.transactionPollingInterval = 500;
    web3.transactionReceiptPollingInterval = 500;
    web3.transactionPollingTimeout = TX_TIMEOUT_MS; // milliseconds in web3 4
    web3.transactionBlockTimeout = 1000;
    const account = web3.eth.accounts.wallet.add(devAccount(ACCOUNTS.web3).privateKey).get(0);
    from = account.address;
  });

  test("network: chain id and a funded account", async () => {
    assert.equal(await web3.eth.getChainId(), BigInt(CHAIN_ID));
    assert.equal(await web3.eth.net.getId(), BigInt(CHAIN_ID));
    assert.ok((await web3.eth.getBalance(from)) > ether("1"));
  });

  test("deploys the ERC-20 (EIP-1559) and waits for its receipt", async () => {
    const contract = new web3.eth.Contract(artifacts.TestToken.abi);
    let receipt;
    token = await contract.deploy({ data: artifacts.TestToken.bytecode, arguments: [units(1_000_000)] })
      .send({ from, type: 2 }).on("receipt", (r) => { receipt = r; });
    tokenAddress = token.options.address;
    assert.ok(receipt, "no receipt event");
    assert.equal(receipt.status, 1n);
    assert.equal(receipt.type, 2n);
    assert.equal(receipt.contractAddress.toLowerCase(), tokenAddress.toLowerCase());
    deployBlock = receipt.blockNumber;
    assert.equal(await token.methods.symbol().call(), "PTT");
    assert.equal(await token.methods.balanceOf(from).call(), units(1_000_000));
  });

  test("ERC-20 transfer as EIP-1559 (type 2)", async () => {
    const block = await web3.eth.getBlock("latest");
    const maxPriorityFeePerGas = await web3.eth.getMaxPriorityFeePerGas();
    const receipt = await token.methods.transfer(receiver, 1000n).send({ from, type: 2, maxPriorityFeePerGas, maxFeePerGas: block.baseFeePerGas * 2n + maxPriorityFeePerGas });
    assert.equal(receipt.status, 1n);
    assert.equal(receipt.type, 2n);
    const ev = receipt.events.Transfer;
    assert.equal(ev.returnValues.value, 1000n);
    assert.equal(ev.returnValues.to.toLowerCase(), receiver.toLowerCase());
    const tx = await web3.eth.getTransaction(receipt.transactionHash);
    assert.equal(tx.type, 2n);
  });

  test("ERC-20 transfer as legacy (type 0)", async () => {
    const gasPrice = await web3.eth.getGasPrice();
    const receipt = await token.methods.transfer(receiver, 500n).send({ from, type: 0, gasPrice });
    assert.equal(receipt.status, 1n);
    assert.equal(receipt.type, 0n);
    const tx = await web3.eth.getTransaction(receipt.transactionHash);
    assert.equal(tx.type, 0n);
    assert.equal(tx.gasPrice, gasPrice);
  });

  test("plain ETH transfers, legacy and EIP-1559", async () => {
    const r0 = await web3.eth.sendTransaction({ from, to: receiver, value: ether("0.1"), type: 0, gasPrice: await web3.eth.getGasPrice() });
    const r2 = await web3.eth.sendTransaction({ from, to: receiver, value: ether("0.1"), type: 2 });
    assert.equal(r0.status, 1n);
    assert.equal(r2.status, 1n);
    assert.equal(r0.gasUsed, 21000n);
  });

  test("getPastLogs / getPastEvents find the Transfer events", async () => {
    const topic = web3.utils.keccak256("Transfer(address,address,uint256)");
    const logs = await web3.eth.getPastLogs({ address: tokenAddress, topics: [topic], fromBlock: deployBlock, toBlock: "latest" });
    assert.equal(logs.length, 3);
    const events = await token.getPastEvents("Transfer", { filter: { to: receiver }, fromBlock: deployBlock, toBlock: "latest" });
    assert.deepEqual(events.map((e) => e.returnValues.value), [1000n, 500n]);
  });

  test("decodes revert reasons: call, estimateGas and a mined reverted transaction", async () => {
    await assert.rejects(token.methods.failWith("web3 says no").call(), (e) => { assert.equal(revertOf(e), "web3 says no", String(e)); return true; });
    await assert.rejects(token.methods.mustBePositive(0).call(), (e) => { assert.equal(revertOf(e), "TestToken: x must be positive", String(e)); return true; });
    await assert.rejects(token.methods.transfer(receiver, units(5_000_000)).call({ from }),
      (e) => { assert.equal(revertOf(e), "ERC20InsufficientBalance", String(e)); return true; });
    // estimateGas: web3 does not decode; the error data carries the custom error's selector and arguments
    await assert.rejects(token.methods.transfer(receiver, units(5_000_000)).estimateGas({ from }), (e) => {
      const selector = web3.utils.keccak256("ERC20InsufficientBalance(address,uint256,uint256)").slice(0, 10);
      assert.equal(e.cause?.data?.slice(0, 10), selector, String(e));
      return true;
    });
    await assert.rejects(token.methods.failWith("mined").send({ from, gas: 100_000 }), (e) => {
      assert.equal(e.receipt?.status, 0n, String(e));
      return true;
    });
  });

  test("deploys the ERC-721 (legacy), mints, transfers, reads its events", async () => {
    const gasPrice = await web3.eth.getGasPrice();
    nft = await new web3.eth.Contract(artifacts.TestNft.abi).deploy({ data: artifacts.TestNft.bytecode }).send({ from, type: 0, gasPrice });
    const mint = await nft.methods.mint(from).send({ from });
    assert.equal(mint.status, 1n);
    assert.equal((await nft.methods.ownerOf(1).call()).toLowerCase(), from.toLowerCase());
    const transfer = await nft.methods.transferFrom(from, receiver, 1).send({ from });
    assert.equal(transfer.status, 1n);
    assert.equal((await nft.methods.ownerOf(1).call()).toLowerCase(), receiver.toLowerCase());
    const events = await nft.getPastEvents("Transfer", { filter: { tokenId: 1 }, fromBlock: mint.blockNumber, toBlock: "latest" });
    assert.equal(events.length, 2);
    await assert.rejects(nft.methods.ownerOf(77).call(), (e) => { assert.equal(revertOf(e), "ERC721NonexistentToken", String(e)); return true; });
  });

  test("blocks and transaction counts", async () => {
    const block = await web3.eth.getBlock(deployBlock, true);
    assert.ok(block.transactions.length >= 1);
    assert.equal(await web3.eth.getTransactionCount(from, "latest"), await web3.eth.getTransactionCount(from, "pending"));
  });
});
