using Microsoft.Extensions.Logging.Abstractions;
using Pwr.Consensus;
using Pwr.Core;

namespace Pwr.Chain.Tests;

/// <summary>A devnet-shaped chain in a temp directory with a producer that makes blocks on demand.</summary>
public sealed class ChainFixture : IDisposable
{
    public static readonly FalconKeyPair Dev0 = DevnetKeys.Account(0);
    public static readonly FalconKeyPair Dev1 = DevnetKeys.Account(1);
    public static readonly FalconKeyPair Dev2 = DevnetKeys.Account(2);
    public static readonly FalconKeyPair Validator = DevnetKeys.Validator();
    public const ulong TokenVm = 1;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pwr-chain-test-" + Guid.NewGuid().ToString("N"));

    public ChainFixture(ChainOptions? options = null)
    {
        Options = options ?? new ChainOptions();
        Genesis = Genesis.Devnet([TokenVm], Options.ChainId, validatorStake: 1); // staking tests count power from 1
        Open();
    }

    public ChainOptions Options { get; }
    public Genesis Genesis { get; }
    public ChainApplication Chain { get; private set; } = null!;
    public SingleValidatorEngine Engine { get; private set; } = null!;
    public byte ChainId => Options.ChainId;
    public ulong Fee => Options.MinFeePerByte;

    private void Open()
    {
        Chain = new ChainApplication(_dir, Genesis, Options, TimeProvider.System, NullLogger<ChainApplication>.Instance);
        Engine = new SingleValidatorEngine(Chain, Validator, new ConsensusOptions(), TimeProvider.System, NullLogger<SingleValidatorEngine>.Instance);
    }

    /// <summary>Closes and reopens the database, as a restart does.</summary>
    public void Reopen()
    {
        Chain.Dispose();
        Open();
    }

    public Block Produce() => Engine.ProduceBlock();

    public Account Account(Address a) => Chain.Ledger.GetAccount(a);

    public byte[] Transfer(FalconKeyPair from, Address to, ulong amount, uint? nonce = null, ulong? feePerByte = null, byte? chainId = null)
        => TransactionBuilder.Sign(TransactionBuilder.Transfer(chainId ?? ChainId, nonce ?? Account(from.Address).Nonce, feePerByte ?? Fee, from.Address, to, amount), from);

    public byte[] VmData(FalconKeyPair from, ulong vmId, byte[] data, ulong value, uint? nonce = null)
        => TransactionBuilder.Sign(TransactionBuilder.VmData(ChainId, nonce ?? Account(from.Address).Nonce, Fee, from.Address, vmId, data, value), from);

    public byte[] Claim(FalconKeyPair from, ulong vmId, uint? nonce = null)
        => TransactionBuilder.Sign(TransactionBuilder.ClaimVmId(ChainId, nonce ?? Account(from.Address).Nonce, Fee, from.Address, vmId), from);

    public AdmissionResult Submit(byte[] raw) => Chain.CheckTx(raw);

    public void Dispose()
    {
        Chain.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { }
    }
}
