using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Text.Json;
using Pwr.Cli.Tests.Infrastructure;

namespace Pwr.Cli.Tests;

/// <summary>POST /broadcastBatch with an octet-stream body: the bulk path the load generator uses.</summary>
[Collection(DevnetCollection.Name)]
public sealed class BinaryBatchTests
{
    private static byte[] Frame(params byte[][] txs)
    {
        var body = new byte[txs.Sum(t => 4 + t.Length)];
        int o = 0;
        foreach (var t in txs)
        {
            BinaryPrimitives.WriteUInt32BigEndian(body.AsSpan(o), (uint)t.Length);
            t.CopyTo(body, o + 4);
            o += 4 + t.Length;
        }
        return body;
    }

    private static async Task<(int Status, JsonElement Json)> Post(HttpClient http, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        using var r = await http.PostAsync("/broadcastBatch", content);
        return ((int)r.StatusCode, JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task Binary_batch_admits_good_transactions_reports_bad_ones_by_index_and_refuses_torn_framing()
    {
        using var dir = new TempDir("binarybatch");
        await using var devnet = await DevnetProcess.StartAsync(dir.Sub("devnet"));
        using var http = new HttpClient { BaseAddress = new Uri(devnet.Url), Timeout = TimeSpan.FromSeconds(30) };
        var key = Keys.Dev(7);
        var to = Keys.Receiver("binary");
        var first = Txs.Transfer(key, 0, to, 11);
        var second = Txs.Transfer(key, 1, to, 22);
        var wrongChain = Txs.Transfer(key, 2, to, 33, chainId: 9);

        var (status, json) = await Post(http, Frame(first, [1, 2, 3], second, wrongChain));
        Assert.Equal(200, status);
        Assert.Equal(2, json.GetProperty("accepted").GetInt32());
        var rejected = json.GetProperty("rejected").EnumerateArray().ToList();
        Assert.Equal([1, 3], rejected.Select(r => r.GetProperty("index").GetInt32()).ToArray());
        Assert.Equal(["Malformed", "WrongChainId"], rejected.Select(r => r.GetProperty("reason").GetString()!).ToArray());

        var torn = Frame(first);
        BinaryPrimitives.WriteUInt32BigEndian(torn, (uint)first.Length + 10); // claims more bytes than the body holds
        (status, json) = await Post(http, torn);
        Assert.Equal(400, status);
        Assert.Contains("claims", json.GetProperty("error").GetString());
        (status, json) = await Post(http, [0, 0]);
        Assert.Equal(400, status);
        Assert.Contains("length prefix", json.GetProperty("error").GetString());

        // Chunked, so the node does not know the length up front and must grow its pooled buffer past 64 KB.
        var many = Enumerable.Range(2, 120).Select(n => Txs.Transfer(key, (uint)n, to, 1)).ToArray();
        var chunkedBody = Frame(many);
        Assert.True(chunkedBody.Length > 64 * 1024);
        using (var content = new StreamContent(new MemoryStream(chunkedBody)))
        {
            content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var request = new HttpRequestMessage(HttpMethod.Post, "/broadcastBatch") { Content = content };
            request.Headers.TransferEncodingChunked = true;
            using var r = await http.SendAsync(request);
            json = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();
            Assert.Equal(200, (int)r.StatusCode);
            Assert.Equal(many.Length, json.GetProperty("accepted").GetInt32());
        }

        (status, json) = await Post(http, []);
        Assert.Equal(200, status);
        Assert.Equal(0, json.GetProperty("accepted").GetInt32());

        var tx = await devnet.Api.WaitForTransactionAsync(Txs.Hash(many[^1]), TimeSpan.FromSeconds(30));
        Assert.True(tx.GetProperty("success").GetBoolean());
        Assert.Equal(33UL + (ulong)many.Length, await devnet.Api.BalanceAsync(to));

        // The block's hash list in binary (what the load generator reads) is the JSON list's bytes, in order.
        ulong block = tx.GetProperty("blockNumber").GetUInt64();
        var listed = (await devnet.Api.GetAsync($"/blockTxHashes?blockNumber={block}")).GetProperty("hashes")
            .EnumerateArray().Select(h => h.GetString()!).ToArray();
        using var binaryRequest = new HttpRequestMessage(HttpMethod.Get, $"/blockTxHashes?blockNumber={block}");
        binaryRequest.Headers.Accept.ParseAdd("application/octet-stream");
        using var binary = await http.SendAsync(binaryRequest);
        Assert.Equal("application/octet-stream", binary.Content.Headers.ContentType?.MediaType);
        var raw = await binary.Content.ReadAsByteArrayAsync();
        Assert.Equal(listed.Length * 32, raw.Length);
        Assert.Contains(Txs.Hash(many[^1]).ToString(), listed);
        Assert.Equal(listed, raw.Chunk(32).Select(h => "0x" + Convert.ToHexStringLower(h)).ToArray());
    }
}
