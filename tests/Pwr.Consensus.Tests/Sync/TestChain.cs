using Microsoft.Extensions.Logging.Abstractions;
using Pwr.Chain;
using Pwr.Core;

namespace Pwr.Consensus.Tests.Sync;

/// <summary>A devnet-genesis chain in a temp directory; its one validator produces blocks on demand.</summary>
internal sealed class TestChain : IDisposable
{
    public static readonly FalconKeyPair Validator = DevnetKeys.Validator();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pwr-p2p-test-" + Guid.NewGuid().ToString("N"));

    public TestChain()
    {
        Options = new ChainOptions();
        Chain = new ChainApplication(_dir, Genesis.Devnet([1], Options.ChainId), Options, TimeProvider.System, NullLogger<ChainApplication>.Instance);
        Engine = new SingleValidatorEngine(Chain, Validator, new ConsensusOptions(), TimeProvider.System, NullLogger<SingleValidatorEngine>.Instance);
    }

    public ChainOptions Options { get; }
    public ChainApplication Chain { get; }
    public SingleValidatorEngine Engine { get; }

    public Block Produce() => Engine.ProduceBlock();

    /// <summary>A signed transfer from a devnet account with an explicit nonce (so many can be queued).</summary>
    public byte[] Transfer(int fromAccount, uint nonce, ulong amount = 1)
    {
        var from = DevnetKeys.Account(fromAccount);
        return TransactionBuilder.Sign(TransactionBuilder.Transfer(Options.ChainId, nonce, Options.MinFeePerByte, from.Address, DevnetKeys.Account(9).Address, amount), from);
    }

    public void Dispose()
    {
        Chain.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
