using System.Text.Json;
using Pwr.Core;
using Pwr.Vm.Evm.Tests.Trie;
using Pwr.Vm.Evm.Transactions;
using Xunit.Abstractions;

namespace Pwr.Vm.Evm.Tests.Transactions;

/// <summary>The signed transactions inside the shared state tests decode and recover the sender each test declares.</summary>
public class StateTestTransactionTests(ITestOutputHelper output)
{
    [Fact]
    public void State_test_transactions_recover_their_declared_sender()
    {
        var root = FixtureFiles.Folder("ethereum-state-tests");
        int decoded = 0, blob = 0, rejectedAsExpected = 0;
        var failures = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            foreach (var test in doc.RootElement.EnumerateObject())
            {
                if (!test.Value.TryGetProperty("post", out var post) || !post.TryGetProperty("Cancun", out var cases)) continue;
                var sender = Address.Parse(test.Value.GetProperty("transaction").GetProperty("sender").GetString()!);
                foreach (var c in cases.EnumerateArray())
                {
                    if (!c.TryGetProperty("txbytes", out var txBytes)) continue;
                    var raw = Hex.Decode(txBytes.GetString()!);
                    bool ok = TransactionDecoder.TryDecode(raw, 1, out var tx, out var failure);
                    bool expectInvalid = c.TryGetProperty("expectException", out _);
                    if (ok && tx!.Sender == sender) decoded++;
                    else if (!ok && raw.Length > 0 && raw[0] == 0x03) blob++; // blob transactions are not supported
                    else if (!ok && expectInvalid) rejectedAsExpected++;
                    else failures.Add($"{Path.GetFileName(file)} {test.Name}: {(ok ? $"sender {tx!.Sender}" : failure.Message)}");
                }
            }
        }
        output.WriteLine($"state-test transactions: {decoded} decoded with the declared sender, {rejectedAsExpected} rejected where the test expects a rejection, {blob} blob (unsupported), {failures.Count} failures");
        foreach (var f in failures.Take(50)) output.WriteLine("FAIL " + f);
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(20)));
        Assert.True(decoded > 5000, $"only {decoded} transactions decoded");
    }
}
