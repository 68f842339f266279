using System.Text.Json;
using Pwr.Core;
using Pwr.Vm.Evm.Execution;
using Pwr.Vm.Evm.Numerics;
using Pwr.Vm.Evm.Rlp;
using Pwr.Vm.Evm.Trie;
using Pwr.Vm.Evm.Vm;

namespace Pwr.Vm.Evm.Rpc.Tests;

public partial class EthRpcTests
{
    private static Hash32 H(JsonElement e) => Hash32.Parse(e.GetString()!);
    private static List<byte[]> Nodes(JsonElement proof) => proof.EnumerateArray().Select(n => Hex.Decode(n.GetString()!)).ToList();

    [Fact]
    public async Task Get_proof_proves_account_and_storage_under_the_blocks_state_root()
    {
        const int from = 9;
        ulong nonce = await PendingNonceAsync(from);
        var deploy = await devnet.WaitForReceiptAsync((await devnet.ResultAsync("eth_sendRawTransaction", Sign(from, nonce, null, 0, StoreAndLogInit, gas: 200_000))).GetString()!);
        var contract = deploy.GetProperty("contractAddress").GetString()!;
        var word = "0x" + new string('0', 60) + "beef";
        var call = await devnet.WaitForReceiptAsync((await devnet.ResultAsync("eth_sendRawTransaction", Sign(from, nonce + 1, contract, 0, word, gas: 100_000))).GetString()!);
        Assert.Equal("0x1", call.GetProperty("status").GetString());
        var blockTag = call.GetProperty("blockNumber").GetString()!;
        var stateRoot = H((await devnet.ResultAsync("eth_getBlockByNumber", blockTag, false)).GetProperty("stateRoot"));

        var slot0Full = "0x" + new string('0', 64);
        var proof = await devnet.ResultAsync("eth_getProof", contract, new[] { "0x0", slot0Full, "0x1" }, blockTag);
        Assert.Equal(contract.ToLowerInvariant(), proof.GetProperty("address").GetString());

        // The account proof leads from the block's state root to rlp([nonce, balance, storageHash, codeHash]) of the fields reported.
        var accountKey = Keccak.Hash256(Address.Parse(contract).ToArray()).ToArray();
        Assert.True(TrieProof.TryVerify(stateRoot, accountKey, Nodes(proof.GetProperty("accountProof")), out var accountRlp));
        Assert.NotNull(accountRlp);
        var codeHash = H(proof.GetProperty("codeHash"));
        var storageHash = H(proof.GetProperty("storageHash"));
        Assert.Equal(Keccak.Hash256(Hex.Decode("0x60003560005560003560006000a100")), codeHash);
        Assert.Equal(1UL, (ulong)Q(proof.GetProperty("nonce")));
        Assert.Equal(EvmStateStore.Encode(1, UInt256.Zero, storageHash, codeHash), accountRlp);

        // Storage: slot 0 holds the word; a 32-byte key comes back as given, a short one as a quantity (as geth does).
        var entries = proof.GetProperty("storageProof").EnumerateArray().ToList();
        Assert.Equal(["0x0", slot0Full, "0x1"], entries.Select(e => e.GetProperty("key").GetString()));
        for (int i = 0; i < 3; i++)
        {
            var slotKey = Keccak.Hash256(new UInt256((ulong)(i == 2 ? 1 : 0)).ToBigEndian()).ToArray();
            Assert.True(TrieProof.TryVerify(storageHash, slotKey, Nodes(entries[i].GetProperty("proof")), out var valueRlp), $"storage proof {i}");
            if (i < 2)
            {
                Assert.Equal("0xbeef", entries[i].GetProperty("value").GetString());
                Assert.True(new RlpReader(valueRlp).TryReadInteger(32, out var stored));
                Assert.Equal(Hex.Decode("0xbeef"), stored.ToArray());
            }
            else
            {
                Assert.Equal("0x0", entries[i].GetProperty("value").GetString());
                Assert.Null(valueRlp); // proved absent
            }
        }

        // The balance and nonce match the plain getters at that block, and a tampered proof no longer verifies.
        Assert.Equal(Q(await devnet.ResultAsync("eth_getBalance", contract, blockTag)), Q(proof.GetProperty("balance")));
        var tampered = Nodes(proof.GetProperty("accountProof"));
        tampered[^1][^1] ^= 1;
        Assert.False(TrieProof.TryVerify(stateRoot, accountKey, tampered, out _));
    }

    [Fact]
    public async Task Get_proof_of_an_absent_account_proves_absence_with_empty_code_and_storage()
    {
        var absent = "0x00000000000000000000000000000000000ab5e7";
        var head = await devnet.ResultAsync("eth_getBlockByNumber", "latest", false);
        var proof = await devnet.ResultAsync("eth_getProof", absent, new[] { "0x2" }, head.GetProperty("number").GetString());

        Assert.True(TrieProof.TryVerify(H(head.GetProperty("stateRoot")), Keccak.Hash256(Address.Parse(absent).ToArray()).ToArray(),
            Nodes(proof.GetProperty("accountProof")), out var value));
        Assert.Null(value);
        Assert.Equal("0x0", proof.GetProperty("balance").GetString());
        Assert.Equal("0x0", proof.GetProperty("nonce").GetString());
        Assert.Equal(AccountState.EmptyCodeHash, H(proof.GetProperty("codeHash")));
        Assert.Equal(PatriciaRoot.Empty, H(proof.GetProperty("storageHash")));
        var entry = Assert.Single(proof.GetProperty("storageProof").EnumerateArray());
        Assert.Equal("0x2", entry.GetProperty("key").GetString());
        Assert.Equal("0x0", entry.GetProperty("value").GetString());
        Assert.Equal(0, entry.GetProperty("proof").GetArrayLength());
    }

    [Fact]
    public async Task Get_proof_with_bad_arguments_is_an_invalid_params_error()
    {
        var someone = AnvilAccounts.AddressStrings[0];
        AssertError(await devnet.CallAsync("eth_getProof", "0x1234", Array.Empty<string>(), "latest"), -32602);
        AssertError(await devnet.CallAsync("eth_getProof", someone, "0x0", "latest"), -32602, "storageKeys");
        AssertError(await devnet.CallAsync("eth_getProof", someone, new[] { "0x" + new string('1', 66) }, "latest"), -32602, "too long");
        AssertError(await devnet.CallAsync("eth_getProof", someone, new[] { "0xzz" }, "latest"), -32602, "invalid hex");
        AssertError(await devnet.CallAsync("eth_getProof", someone, new object[] { 5 }, "latest"), -32602);
        AssertError(await devnet.CallAsync("eth_getProof", someone), -32602);
        AssertError(await devnet.CallAsync("eth_getProof", someone, Array.Empty<string>(), "0xffffffff"), -32000, "header not found");
    }
}
