using System.Text;
using System.Text.Json;
using Pwr.Core;
using Pwr.Vm.Evm.Vm;

namespace Pwr.Vm.Evm.Rpc.Tests;

public class HandlerFuzzTests
{
    private static readonly string[] Methods =
    [
        "eth_chainId", "eth_blockNumber", "eth_getBalance", "eth_getTransactionCount", "eth_getCode", "eth_getStorageAt", "eth_call",
        "eth_estimateGas", "eth_sendRawTransaction", "eth_getTransactionByHash", "eth_getTransactionReceipt", "eth_getBlockByNumber",
        "eth_getBlockByHash", "eth_getBlockTransactionCountByNumber", "eth_getLogs", "eth_feeHistory", "eth_newFilter",
        "eth_getFilterChanges", "eth_uninstallFilter", "eth_getTransactionByBlockNumberAndIndex", "web3_sha3", "eth_getProof",
        "eth_createAccessList", "eth_getBlockReceipts", "eth_blobBaseFee", "debug_traceCall", "debug_traceTransaction",
    ];

    private static readonly object?[] Values =
    [
        null, 0, -1, 1.5, true, "", "0x", "0x0", "0xzz", "latest", "pending", "earliest", "0xffffffffffffffffff",
        "0x" + new string('f', 64), "0x" + new string('0', 40), "0x" + new string('1', 130), new object[] { }, new object?[] { null, "0x1" },
        new { to = "0x12" }, new { from = "0x" + new string('0', 40), data = "0x00" }, new { fromBlock = "0x10", toBlock = "0x1", topics = new object?[] { null, "x" } },
        new { address = new[] { "0xg" } }, new[] { "0x1", "0x" + new string('0', 64) }, new[] { "0xzz" }, new { blockHash = "0x" + new string('a', 64), fromBlock = "0x0" }, new { gas = "0x" + new string('f', 40) },
    ];

    [Fact]
    public void Random_requests_are_answered_with_a_result_or_a_client_error_never_an_exception()
    {
        var dir = Path.Combine(Path.GetTempPath(), "pwr-evm-rpc-fuzz-" + Guid.NewGuid().ToString("N"));
        try
        {
            using var store = VmStore.Open(dir);
            var vm = new EvmVm(2);
            for (ulong n = 1; n <= 3; n++) store.ApplyBlock(vm, new VmBlock(n, n * 1000, Keccak.Hash256(BitConverter.GetBytes(n)), []));
            int queued = 0;
            var handler = new EvmRpcHandler(store, vm.Options, new EvmRpcOptions { PwrNode = new Uri("http://127.0.0.1:1"), WrapperKey = DevnetKeys.Account(8), EvmVmId = 2 },
                (_, _) => queued++);
            var random = new Random(1234);
            for (int i = 0; i < 3000; i++)
            {
                string body;
                if (i % 10 == 0)
                {
                    var bytes = new byte[random.Next(0, 64)];
                    random.NextBytes(bytes);
                    body = Encoding.Latin1.GetString(bytes);
                }
                else
                {
                    var parameters = Enumerable.Range(0, random.Next(0, 4)).Select(_ => Values[random.Next(Values.Length)]).ToArray();
                    body = JsonSerializer.Serialize(new { jsonrpc = "2.0", id = i, method = Methods[random.Next(Methods.Length)], @params = parameters });
                }
                using var response = JsonDocument.Parse(handler.Handle(Encoding.UTF8.GetBytes(body)));
                var root = response.RootElement;
                Assert.True(root.TryGetProperty("result", out _) || root.TryGetProperty("error", out _), body);
                if (root.TryGetProperty("error", out var error))
                    Assert.True(error.GetProperty("code").GetInt32() != -32603, $"{body} → {error}");
            }
            Assert.Equal(0, queued);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
