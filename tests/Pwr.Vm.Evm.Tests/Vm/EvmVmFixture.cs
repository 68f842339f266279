using Pwr.Core;
using Pwr.Vm.Evm.Transactions;
using Pwr.Vm.Evm.Vm;

namespace Pwr.Vm.Evm.Tests.Vm;

/// <summary>A real <see cref="VmStore"/> (RocksDB in a temporary directory) driving an <see cref="EvmVm"/> block by block.</summary>
internal sealed class EvmVmFixture : IDisposable
{
    /// <summary>Runtime: stores calldata word 0 in slot 0 and logs it as topic 0 (LOG1, no data).</summary>
    public const string RuntimeHex = "60003560005560003560006000a100";
    /// <summary>Init code: CODECOPY the 15-byte runtime that follows it and RETURN it.</summary>
    public const string InitCodeHex = "600f600c600039600f6000f3" + RuntimeHex;

    public static readonly Address PwrSender = Address.ForVm(999);
    private readonly string _root = Path.Combine(Path.GetTempPath(), "pwr-evm-vm-" + Guid.NewGuid().ToString("N"));
    private readonly List<VmBlock> _blocks = [];

    public EvmVmFixture()
    {
        Vm = new EvmVm(2);
        Store = VmStore.Open(Path.Combine(_root, "a"));
    }

    public EvmVm Vm { get; }
    public VmStore Store { get; private set; }
    public IReadOnlyList<VmBlock> Blocks => _blocks;
    public EvmChainReader Chain => new(Store);

    public static byte[] Sign(int account, ulong nonce, Address? to, System.Numerics.BigInteger value, byte[]? data = null, ulong gas = 100_000, ulong chainId = 31337)
        => TransactionSigner.Sign(new UnsignedTransaction
        {
            Type = EthereumTransactionType.DynamicFee,
            ChainId = chainId,
            Nonce = nonce,
            MaxFeePerGas = 2_000_000_000,
            MaxPriorityFeePerGas = 1_000_000_000,
            GasLimit = gas,
            To = to,
            Value = value,
            Data = data ?? [],
        }, AnvilAccounts.PrivateKey(account));

    public static VmTransaction Payload(params byte[][] transactions)
        => new(PwrSender, 0, EvmPayload.Encode(transactions), Keccak.Hash256(EvmPayload.Encode(transactions)), 0);

    public static VmTransaction Deposit(Address to, ulong pwrUnits)
        => new(PwrSender, pwrUnits, to.ToArray(), Keccak.Hash256([.. to.ToArray(), .. BitConverter.GetBytes(pwrUnits)]), 0);

    /// <summary>Applies the next block with <paramref name="transactions"/> and returns its root.</summary>
    public Hash32 Apply(params VmTransaction[] transactions)
    {
        ulong number = Store.Height + 1;
        var block = new VmBlock(number, 1_767_225_600_000 + number * 1000, Keccak.Hash256(BitConverter.GetBytes(number)), transactions);
        _blocks.Add(block);
        return Store.ApplyBlock(Vm, block);
    }

    public void Reopen()
    {
        var path = Store.Path;
        Store.Dispose();
        Store = VmStore.Open(path);
    }

    /// <summary>A fresh store in this fixture's directory for replays.</summary>
    public VmStore OpenFresh(string name) => VmStore.Open(Path.Combine(_root, name));

    public void Dispose()
    {
        Store.Dispose();
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { }
    }
}
