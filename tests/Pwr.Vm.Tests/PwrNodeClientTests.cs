using System.Net;
using System.Text;
using Pwr.Core;
using Pwr.Vm.Token;

namespace Pwr.Vm.Tests;

public sealed class PwrNodeClientTests
{
    private static readonly string HashA = "0x" + new string('a', 64), HashB = "0x" + new string('b', 64), HashC = "0x" + new string('c', 64);
    private static readonly string Sender = "0x" + new string('1', 40);

    [Fact]
    public async Task Client_reads_blocks_count()
    {
        var stub = new StubHandler(_ => (HttpStatusCode.OK, """{"blocksCount": 123}"""));
        using var client = new PwrNodeClient(new Uri("http://node.test/"), stub);
        Assert.Equal(123UL, await client.GetBlocksCountAsync());
        Assert.Equal("/blocksCount", stub.Requests.Single().AbsolutePath);
    }

    [Fact]
    public async Task Client_parses_vm_blocks_with_and_without_transactions()
    {
        string json = $$"""
            {"blocks":[
              {"blockNumber":5,"timestamp":1700000000000,"blockHash":"{{HashA}}","transactions":[
                 {"sender":"{{Sender}}","value":42,"data":"0x0102ff","hash":"{{HashB}}","position":3}]},
              {"blockNumber":6,"timestamp":1700000001000,"blockHash":"{{HashC}}","transactions":[]}
            ]}
            """;
        var stub = new StubHandler(_ => (HttpStatusCode.OK, json));
        using var client = new PwrNodeClient(new Uri("http://node.test/"), stub);

        var blocks = await client.GetVmBlocksAsync(77, 5, 6);

        Assert.Equal("/vmBlocks?vidaId=77&startingBlock=5&endingBlock=6", stub.Requests.Single().PathAndQuery);
        Assert.Equal(2, blocks.Count);
        var b = blocks[0];
        Assert.Equal(5UL, b.Number);
        Assert.Equal(1700000000000UL, b.TimestampMs);
        Assert.Equal(Hash32.Parse(HashA), b.BlockHash);
        var tx = Assert.Single(b.Transactions);
        Assert.Equal(Address.Parse(Sender), tx.Sender);
        Assert.Equal(42UL, tx.Value);
        Assert.Equal(new byte[] { 1, 2, 0xff }, tx.Data.ToArray());
        Assert.Equal(Hash32.Parse(HashB), tx.TxHash);
        Assert.Equal(3U, tx.Position);
        Assert.Empty(blocks[1].Transactions);
    }

    [Fact]
    public async Task Client_reads_root_hashes_and_treats_an_unreached_block_as_absent()
    {
        var stub = new StubHandler(uri => uri.AbsolutePath switch
        {
            "/rootHash" when uri.Query.Contains("blockNumber=9") => (HttpStatusCode.OK, $$"""{"vidaId":77,"blockNumber":9,"rootHash":"{{HashA}}"}"""),
            "/rootHash" => (HttpStatusCode.NotFound, """{"error":"VM 77 has not reached block 10"}"""),
            "/rootHashes" => (HttpStatusCode.OK, $$"""{"vidaId":77,"startingBlock":8,"rootHashes":["{{HashB}}","{{HashA}}"]}"""),
            _ => (HttpStatusCode.NotFound, "{}"),
        });
        using var client = new PwrNodeClient(new Uri("http://node.test/"), stub);

        Assert.Equal(Hash32.Parse(HashA), await client.GetRootHashAsync(77, 9));
        Assert.Null(await client.GetRootHashAsync(77, 10));
        IVmRootSource roots = client;
        Assert.Equal([Hash32.Parse(HashB), Hash32.Parse(HashA)], await roots.GetRootsAsync(77, 8, 20));
        Assert.Contains(stub.Requests, u => u.PathAndQuery == "/rootHashes?vidaId=77&startingBlock=8&endingBlock=20");
    }

    [Fact]
    public async Task Node_error_message_is_surfaced_in_the_exception()
    {
        var stub = new StubHandler(_ => (HttpStatusCode.BadRequest, """{"error":"endingBlock - startingBlock must be below 1000"}"""));
        using var client = new PwrNodeClient(new Uri("http://node.test/"), stub);
        var e = await Assert.ThrowsAsync<PwrNodeException>(() => client.GetVmBlocksAsync(1, 1, 10));
        Assert.Contains("endingBlock - startingBlock must be below 1000", e.Message);
        Assert.Equal(HttpStatusCode.BadRequest, e.StatusCode);
    }

    [Fact]
    public async Task Malformed_responses_and_oversized_ranges_are_rejected()
    {
        var stub = new StubHandler(_ => (HttpStatusCode.OK, """{"blocks":[{"blockNumber":1,"timestamp":0,"blockHash":"0x12","transactions":[]}]}"""));
        using var client = new PwrNodeClient(new Uri("http://node.test/"), stub);
        await Assert.ThrowsAsync<PwrNodeException>(() => client.GetVmBlocksAsync(1, 1, 1));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GetVmBlocksAsync(1, 1, 1001));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => client.GetRootHashesAsync(1, 0, 5));
    }

    [Fact]
    public async Task Unreachable_node_gives_a_node_exception()
    {
        var stub = new StubHandler(_ => throw new HttpRequestException("connection refused"));
        using var client = new PwrNodeClient(new Uri("http://node.test/"), stub);
        var e = await Assert.ThrowsAsync<PwrNodeException>(() => client.GetBlocksCountAsync());
        Assert.Contains("connection refused", e.Message);
        Assert.Null(e.StatusCode);
    }

    [Fact]
    public async Task Host_follows_a_remote_node_over_http()
    {
        var chain = new MemoryBlockSource();
        chain.AddMany(TestData.TransferBlocks(blocks: 12, txPerBlock: 3));
        using var client = new PwrNodeClient(new Uri("http://node.test/"), new StubHandler(uri => FakeNode.Serve(chain, uri)));
        using var dir = new TempDirectory();
        using var remoteStore = VmStore.Open(dir.Sub("remote"));
        using var localStore = VmStore.Open(dir.Sub("local"));
        var options = new VmHostOptions { PollInterval = TimeSpan.FromMilliseconds(20), MaxBlocksPerFetch = 5 };
        await using var remote = new VmHost(new TokenVm(TestData.TokenVmId), remoteStore, new RemoteBlockSource(client), options);
        await using var local = new VmHost(new TokenVm(TestData.TokenVmId), localStore, chain, options);
        remote.Start();
        local.Start();
        await local.WaitForHeightAsync(12).WaitAsync(TimeSpan.FromSeconds(30));
        await remote.WaitForHeightAsync(12).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0L, remote.GetStatus().ErrorCount);
        Assert.Equal(local.Root, remote.Root);
    }

    /// <summary>Serves a <see cref="MemoryBlockSource"/> in the node's JSON shapes.</summary>
    private static class FakeNode
    {
        public static (HttpStatusCode, string) Serve(MemoryBlockSource chain, Uri uri)
        {
            if (uri.AbsolutePath == "/blocksCount") return (HttpStatusCode.OK, $$"""{"blocksCount":{{chain.Height}}}""");
            var query = uri.Query.TrimStart('?').Split('&').Select(p => p.Split('=')).ToDictionary(p => p[0], p => ulong.Parse(p[1]));
            var blocks = chain.GetBlocksAsync(query["vidaId"], query["startingBlock"], query["endingBlock"]).Result;
            var json = new StringBuilder("""{"blocks":[""");
            json.AppendJoin(',', blocks.Select(b =>
                $$"""{"blockNumber":{{b.Number}},"timestamp":{{b.TimestampMs}},"blockHash":"{{b.BlockHash}}","transactions":[{{string.Join(',', b.Transactions.Select(t =>
                    $$"""{"sender":"{{t.Sender}}","value":{{t.Value}},"data":"{{Hex.Encode(t.Data.Span)}}","hash":"{{t.TxHash}}","position":{{t.Position}}}"""))}}]}"""));
            return (HttpStatusCode.OK, json.Append("]}").ToString());
        }
    }

    private sealed class StubHandler(Func<Uri, (HttpStatusCode Status, string Body)> respond) : HttpMessageHandler
    {
        public List<Uri> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (Requests) Requests.Add(request.RequestUri!);
            var (status, body) = respond(request.RequestUri!);
            return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }
}
