using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Pwr.Cli.Tests.Infrastructure;
using Pwr.Core;
using Pwr.Node;
using Pwr.Vm;

namespace Pwr.Cli.Tests;

/// <summary>GET /vmStatus served in process over loopback from a real VM host whose root agreement peers are scripted.</summary>
public sealed class VmStatusEndpointTests
{
    private const ulong VmId = 9;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private static readonly Hash32 WrongRoot = Keccak.Hash256("a root nobody honest has"u8);

    [Fact]
    public async Task Vm_status_shows_running_then_diverged_with_the_divergence_and_roots_above_the_agreed_height_are_withheld()
    {
        using var dir = new TempDir("vmstatus");
        var source = new ListBlockSource();
        source.AddBlocks(3);
        using var store = VmStore.Open(dir.Sub("vm"));
        await using var host = new VmHost(new KeyPerBlockVm(), store, source,
            new VmHostOptions { PollInterval = TimeSpan.FromMilliseconds(20), SyncWrites = false, AgreementInterval = TimeSpan.FromHours(1) });
        var agreement = new VmRootAgreement(host, [new ScriptedPeer(n => n <= 3 && store.TryGetRoot(n, out var r) ? r : WrongRoot)]);
        var provider = new VmHostRootProvider(host);
        await using var web = await StartAsync(new Dictionary<ulong, IVmRootProvider> { [VmId] = provider }, () => source.Height);
        host.Start();
        await host.WaitForHeightAsync(3).WaitAsync(Timeout);
        await agreement.CheckOnceAsync();
        Assert.Equal(VmAgreementOutcome.Agreed, (await agreement.CheckOnceAsync()).Outcome);

        var running = await web.GetJsonAsync($"/vmStatus?vidaId={VmId}", HttpStatusCode.OK);
        Assert.Equal(VmId, running.GetProperty("vidaId").GetUInt64());
        Assert.Equal("running", running.GetProperty("status").GetString());
        Assert.Equal(3UL, running.GetProperty("height").GetUInt64());
        Assert.Equal(3UL, running.GetProperty("lastAgreedHeight").GetUInt64());
        Assert.Equal(JsonValueKind.Null, running.GetProperty("divergence").ValueKind);
        Assert.Equal(JsonValueKind.Null, running.GetProperty("error").ValueKind);

        source.AddBlocks(3);
        await host.WaitForHeightAsync(6).WaitAsync(Timeout);
        Assert.True(store.TryGetRoot(6, out var localRoot));
        await agreement.CheckOnceAsync();
        Assert.Equal(VmAgreementOutcome.Diverged, (await agreement.CheckOnceAsync()).Outcome);

        var diverged = await web.GetJsonAsync($"/vmStatus?vidaId={VmId}", HttpStatusCode.OK);
        Assert.Equal("diverged", diverged.GetProperty("status").GetString());
        Assert.Equal(3UL, diverged.GetProperty("lastAgreedHeight").GetUInt64());
        Assert.Equal(1, diverged.GetProperty("divergencesTotal").GetInt64());
        var divergence = diverged.GetProperty("divergence");
        Assert.Equal(6UL, divergence.GetProperty("height").GetUInt64());
        Assert.Equal(localRoot.ToString(), divergence.GetProperty("localRoot").GetString());
        Assert.Equal(WrongRoot.ToString(), divergence.GetProperty("peerRoot").GetString());
        Assert.Equal(0, divergence.GetProperty("agreeing").GetInt32());
        Assert.Equal(1, divergence.GetProperty("answers").GetInt32());
        Assert.Contains("diverged from its peers at block 6", diverged.GetProperty("error").GetString());

        // The node's /rootHash asks the provider: disputed heights are refused with the reason, agreed ones served.
        await host.WaitForHeightAsync(6).WaitAsync(Timeout);
        Assert.False(provider.TryGetRoot(5, out _));
        Assert.Contains("withheld", provider.RootWithheldReason(5));
        Assert.True(provider.TryGetRoot(3, out _));
    }

    [Fact]
    public async Task Vm_status_answers_400_for_a_bad_vm_id_and_404_for_a_vm_this_node_does_not_run()
    {
        await using var web = await StartAsync(new Dictionary<ulong, IVmRootProvider>(), () => 0);
        var missing = await web.GetJsonAsync("/vmStatus", HttpStatusCode.BadRequest);
        Assert.Contains("'vidaId' is required", missing.GetProperty("error").GetString());
        var bad = await web.GetJsonAsync("/vmStatus?vidaId=-1", HttpStatusCode.BadRequest);
        Assert.Contains("non-negative integer", bad.GetProperty("error").GetString());
        var unknown = await web.GetJsonAsync("/vmStatus?vidaId=424242", HttpStatusCode.NotFound);
        Assert.Contains("no VM host for VM ID 424242", unknown.GetProperty("error").GetString());
    }

    private static async Task<TestWeb> StartAsync(IReadOnlyDictionary<ulong, IVmRootProvider> vms, Func<ulong> chainHeight)
    {
        int port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = null);
        var app = builder.Build();
        VmStatusEndpoint.Map(app, vms, chainHeight);
        await app.StartAsync();
        return new TestWeb(app, new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") });
    }

    private sealed class TestWeb(WebApplication app, HttpClient http) : IAsyncDisposable
    {
        public async Task<JsonElement> GetJsonAsync(string path, HttpStatusCode expected)
        {
            using var response = await http.GetAsync(path);
            string body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"GET {path}: {(int)response.StatusCode} {body}");
            return JsonDocument.Parse(body).RootElement.Clone();
        }

        public async ValueTask DisposeAsync()
        {
            http.Dispose();
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>Blocks without transactions, appended by the test.</summary>
    private sealed class ListBlockSource : IVmBlockSource
    {
        private ulong _height;

        public event Action<ulong>? HeightAdvanced;

        public ulong Height => Volatile.Read(ref _height);

        public void AddBlocks(int count)
        {
            for (int i = 0; i < count; i++)
            {
                ulong height = Interlocked.Increment(ref _height);
                HeightAdvanced?.Invoke(height);
            }
        }

        public ValueTask<ulong> GetFinalizedHeightAsync(CancellationToken cancellationToken = default) => ValueTask.FromResult(Height);

        public ValueTask<IReadOnlyList<VmBlock>> GetBlocksAsync(ulong vmId, ulong fromBlock, ulong toBlock, CancellationToken cancellationToken = default)
        {
            var blocks = new List<VmBlock>();
            for (ulong n = fromBlock; n <= Math.Min(toBlock, Height); n++)
                blocks.Add(new VmBlock(n, n * 1000, Keccak.Hash256(BitConverter.GetBytes(n)), []));
            return ValueTask.FromResult<IReadOnlyList<VmBlock>>(blocks);
        }
    }

    /// <summary>Writes the block number under a key per block, so every block has a new root.</summary>
    private sealed class KeyPerBlockVm : IVirtualMachine
    {
        public ulong VmId => VmStatusEndpointTests.VmId;
        public void ExecuteBlock(VmBlock block, IVmState state) => state.Set(BitConverter.GetBytes(block.Number), BitConverter.GetBytes(block.Number));
        public Hash32 StateRoot(IVmState state) => state.MerkleRoot();
    }

    private sealed class ScriptedPeer(Func<ulong, Hash32?> answer) : IVmPeerRootSource
    {
        public string Name => "scripted";
        public Task<Hash32?> GetRootHashAsync(ulong vmId, ulong blockNumber, CancellationToken cancellationToken = default) => Task.FromResult(answer(blockNumber));
    }
}
