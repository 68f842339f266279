using System.Text.Json;
using Pwr.Cli.Tests.Infrastructure;
using Pwr.Core;

namespace Pwr.Cli.Tests;

/// <summary>Bad requests against a running devnet's HTTP API: each gets a 4xx with a JSON error, never a 500, and changes nothing.</summary>
[Collection(DevnetCollection.Name)]
public sealed class BadInputTests
{
    private static readonly TimeSpan WaitTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Bad_requests_get_4xx_json_errors_the_node_keeps_producing_blocks_and_no_rejected_tx_is_ever_included()
    {
        using var dir = new TempDir("badinput");
        await using var devnet = await DevnetProcess.StartAsync(dir.Sub("devnet"));
        var api = devnet.Api;
        var key = Keys.Dev(8);
        var to = Keys.Dev(9).Address;
        var rejected = new List<Hash32>();

        async Task<ApiResponse> Expect(Task<ApiResponse> request, int status, string errorContains, string? reason = null)
        {
            var r = await request;
            Assert.True(r.Status == status, $"expected {status}, got {r}");
            Assert.Equal("application/json", r.ContentType);
            Assert.False(string.IsNullOrWhiteSpace(r.Error), $"no \"error\" in {r}");
            Assert.True(r.Error.Contains(errorContains, StringComparison.OrdinalIgnoreCase), $"expected an error mentioning '{errorContains}', got {r}");
            if (reason is not null) Assert.Equal(reason, r.Reason);
            return r;
        }
        Task<ApiResponse> Broadcast(byte[] raw)
        {
            rejected.Add(Keccak.Hash256(raw));
            return api.BroadcastAsync(raw);
        }

        // Bodies that are not a transaction at all.
        await Expect(api.PostRawAsync("/broadcast", "this is not json"), 400, "JSON");
        await Expect(api.PostRawAsync("/broadcast", "{}"), 400, "txn");
        await Expect(api.PostRawAsync("/broadcast", "[1,2]"), 400, "txn");
        await Expect(api.PostRawAsync("/broadcast", """{"txn": 42}"""), 400, "txn");
        await Expect(api.PostRawAsync("/broadcast", """{"txn": "zz-not-hex"}"""), 400, "hex", "Malformed");
        await Expect(api.PostRawAsync("/broadcast", """{"txn": "abc"}"""), 400, "hex", "Malformed");
        await Expect(api.PostRawAsync("/broadcast", """{"txn": ""}"""), 400, "empty", "Malformed");
        await Expect(api.PostRawAsync("/broadcastBatch", """{"txns": "not an array"}"""), 400, "txns");

        // Transactions that decode badly or fail admission.
        var good = Txs.Transfer(key, 0, to, 1000);
        await Expect(Broadcast(good[..10]), 400, "shorter", "Malformed");
        await Expect(Broadcast(good[..^40]), 400, "", "Malformed"); // the last two bytes, read as the signature length, are now random
        byte[] cut = [.. good[..^22], good[^2], good[^1]]; // 20 bytes lost, the signature length kept: the body is short
        await Expect(Broadcast(cut), 400, "ends before", "Malformed");
        var trailing = new byte[good.Length + 1];
        good.CopyTo(trailing, 0);
        (trailing[^1], trailing[^2], trailing[^3]) = (good[^1], good[^2], 0x55); // an extra byte before the signature
        await Expect(Broadcast(trailing), 400, "unexpected bytes", "Malformed");
        var unknownType = (byte[])good.Clone();
        unknownType[3] = 0x07; // type 1006 (0x03EE) → 775 (0x0307)
        await Expect(Broadcast(unknownType), 400, "unknown transaction type", "Malformed");
        await Expect(Broadcast(Txs.Transfer(key, 0, to, 1000, chainId: 0x51)), 400, "chain id", "WrongChainId");
        await Expect(Broadcast(Txs.Transfer(key, 0, to, 1000, feePerByte: Txs.MinFee - 1)), 400, "below the minimum", "FeeTooLow");
        var forged = (byte[])good.Clone();
        forged[Transaction.HeaderSize + Address.Size + 7] ^= 0x01; // change the amount after signing
        await Expect(Broadcast(forged), 400, "signature", "BadSignature");
        var signedByOther = TransactionBuilder.Sign(TransactionBuilder.Transfer(Txs.ChainId, 0, Txs.MinFee, key.Address, to, 1000), Keys.Dev(7));
        await Expect(Broadcast(signedByOther), 400, "signature", "BadSignature");
        await Expect(Broadcast(Txs.Transfer(key, 0, to, 200_000_000 * Units.PerPwr)), 400, "insufficient balance", "InsufficientBalance");
        var stranger = DevnetKeys.FromLabel("pwr-cli-tests/stranger");
        await Expect(Broadcast(Txs.Transfer(stranger, 0, to, 1)), 400, "no public key", "NoPublicKey");
        await Expect(Broadcast(Txs.Transfer(key, 100_001, to, 1)), 400, "ahead", "NonceTooFarAhead");

        // Replays: the same signed tx twice is AlreadyKnown (pending, then finalized); a new tx reusing the nonce is NonceTooLow.
        var first = await api.BroadcastOkAsync(good);
        Assert.Equal(Txs.Hash(good), first);
        await Expect(api.BroadcastAsync(good), 400, "already", "AlreadyKnown");
        var sameNonce = Txs.Transfer(key, 0, to, 2000);
        var pendingClash = await api.BroadcastAsync(sameNonce);
        Assert.True(pendingClash.Status == 400, pendingClash.ToString());
        var finalized = await api.WaitForTransactionAsync(first, WaitTimeout);
        await Expect(api.BroadcastAsync(good), 400, "already", "AlreadyKnown");
        await Expect(Broadcast(sameNonce), 400, "nonce too low", "NonceTooLow");

        // Oversized: a transaction over the 1 MiB limit, and a body over the endpoint's limit.
        var huge = new byte[1024 * 1024 + 1];
        huge[^1] = 0x01; // some bytes; the size check comes first
        await Expect(Broadcast(huge), 400, "limit", "Oversized");
        await ExpectOversizedBody(api);

        // GET endpoints with missing, garbage and out-of-range parameters.
        ulong head = await api.BlocksCountAsync();
        await Expect(api.GetRawAsync("/block?blockNumber=abc"), 400, "non-negative integer");
        await Expect(api.GetRawAsync("/block"), 400, "required");
        await Expect(api.GetRawAsync("/block?blockNumber=-1"), 400, "non-negative integer");
        await Expect(api.GetRawAsync("/block?blockNumber=18446744073709551616"), 400, "non-negative integer");
        await Expect(api.GetRawAsync("/block?blockNumber=999999999"), 404, "does not exist");
        await Expect(api.GetRawAsync("/blockWithTransactions?blockNumber=1e3"), 400, "non-negative integer");
        await Expect(api.GetRawAsync("/blockTxHashes?blockNumber=99999999"), 404, "does not exist");
        await Expect(api.GetRawAsync("/balanceOf?address=0x12"), 400, "20-byte");
        await Expect(api.GetRawAsync("/balanceOf"), 400, "20-byte");
        await Expect(api.GetRawAsync("/balanceOf?address=" + new string('g', 40)), 400, "20-byte");
        await Expect(api.GetRawAsync("/nonceOfUser?userAddress=xyz"), 400, "20-byte");
        await Expect(api.GetRawAsync("/transactionByHash?hash=0x1234"), 400, "32-byte");
        await Expect(api.GetRawAsync($"/transactionByHash?hash={Keccak.Hash256("nothing"u8)}"), 404, "not in any finalized block");
        await Expect(api.GetRawAsync("/ownerOfVidaId?vidaId=one"), 400, "non-negative integer");
        await Expect(api.GetRawAsync("/getVidaTransactions?vidaId=1&startingBlock=1&endingBlock=1001"), 400, "at most 1000");
        await Expect(api.GetRawAsync("/getVidaTransactions?vidaId=1&startingBlock=10&endingBlock=9"), 400, "before");
        await Expect(api.GetRawAsync("/getVidaTransactions?vidaId=1&startingBlock=1"), 400, "endingBlock");
        await Expect(api.GetRawAsync("/vmBlocks?vidaId=1&startingBlock=0&endingBlock=18446744073709551615"), 400, "at most 1000");
        await Expect(api.GetRawAsync("/rootHashes?vidaId=1&startingBlock=0&endingBlock=5000"), 400, "at most 1000");
        await Expect(api.GetRawAsync("/rootHash?vidaId=424242&blockNumber=1"), 404, "no VM host");
        await Expect(api.GetRawAsync("/rootHash?vidaId=1&blockNumber=999999999"), 404, "not 999999999");
        await Expect(api.GetRawAsync("/rootHash?vidaId=1"), 400, "blockNumber");
        await Expect(api.GetRawAsync("/vmStatus?vidaId=%00"), 400, "non-negative integer");
        await Expect(api.GetRawAsync("/noSuchEndpoint"), 404, "no endpoint");

        // Edge-of-range queries that are valid answer normally (no overflow, no hang).
        var far = await api.GetRawAsync("/vmBlocks?vidaId=1&startingBlock=18446744073709551615&endingBlock=18446744073709551615");
        Assert.True(far.Status == 200, far.ToString());
        var farTxs = await api.GetRawAsync("/getVidaTransactions?vidaId=18446744073709551615&startingBlock=18446744073709551000&endingBlock=18446744073709551615");
        Assert.True(farTxs.Status == 200, farTxs.ToString());
        var farRoots = await api.GetRawAsync("/rootHashes?vidaId=1&startingBlock=18446744073709551000&endingBlock=18446744073709551615");
        Assert.True(farRoots.Status == 200, farRoots.ToString());

        // The node carries on, and none of the rejected transactions ever reaches a block.
        ulong later = await api.WaitForBlocksAsync(head + 5, WaitTimeout);
        var included = new List<string>();
        for (ulong n = 1; n <= later; n++)
            included.AddRange((await api.GetAsync($"/blockTxHashes?blockNumber={n}")).GetProperty("hashes").EnumerateArray().Select(e => e.GetString()!));
        Assert.Single(included, h => h == first.ToString());
        Assert.Equal(finalized.GetProperty("blockNumber").GetUInt64(), (await api.GetAsync($"/transactionByHash?hash={first}")).GetProperty("transaction").GetProperty("blockNumber").GetUInt64());
        foreach (var h in rejected)
        {
            Assert.DoesNotContain(h.ToString(), included);
            var lookup = await api.GetRawAsync($"/transactionByHash?hash={h}");
            Assert.True(lookup.Status == 404 && lookup.Json?.TryGetProperty("pending", out _) != true, $"rejected {h}: {lookup}");
        }
        Assert.Equal(1u, await api.NonceAsync(key.Address));
        Assert.Equal(0u, await api.NonceAsync(stranger.Address));
    }

    /// <summary>A body over the endpoint's limit is refused with 413 (or the server cuts the upload short); either way no 500.</summary>
    private static async Task ExpectOversizedBody(NodeApi api)
    {
        var body = JsonSerializer.Serialize(new { txn = new string('a', 3 * 1024 * 1024) });
        ApiResponse r;
        try { r = await api.PostRawAsync("/broadcast", body); }
        catch (HttpRequestException) { return; } // the server may reset the connection while the client still uploads
        Assert.True(r.Status == 413, $"expected 413, got {r}");
        Assert.False(string.IsNullOrWhiteSpace(r.Error), r.ToString());
    }
}
