using Pwr.Core;

namespace Pwr.Core.Tests;

/// <summary>
/// One unsigned transaction of each type, with every numeric field a distinct byte pattern so that a field
/// written at the wrong offset or width shows up as a wrong value rather than a coincidental match.
/// </summary>
internal static class Samples
{
    public const byte ChainId = 0x2A;
    public const uint Nonce = 0x01020304;
    public const ulong FeePerByte = 0x1112131415161718;
    public const ulong Amount = 0x2122232425262728;
    public const ulong VmId = 0x3132333435363738;
    public const ulong Value = 0x4142434445464748;
    public static readonly Address Receiver = Address.Parse("0x5152535455565758595a5b5c5d5e5f6061626364");
    public static readonly byte[] Data = [.. Enumerable.Range(0, 300).Select(i => (byte)(i * 7))];

    public static readonly Address Validator = Address.Parse("0x7172737475767778797a7b7c7d7e7f8081828384");
    public static readonly byte[] VoteA = [.. Enumerable.Range(0, 97).Select(i => (byte)(i * 3 + 1))];
    public static readonly byte[] VoteB = [.. Enumerable.Range(0, 101).Select(i => (byte)(i * 5 + 2))];

    public static Address Sender => TestKeys.Alice.Address;

    public static byte[] Unsigned(TransactionType type) => type switch
    {
        TransactionType.SetPublicKey => TransactionBuilder.SetPublicKey(ChainId, Nonce, FeePerByte, Sender, TestKeys.Alice.PublicKey),
        TransactionType.Transfer => TransactionBuilder.Transfer(ChainId, Nonce, FeePerByte, Sender, Receiver, Amount),
        TransactionType.ClaimVmId => TransactionBuilder.ClaimVmId(ChainId, Nonce, FeePerByte, Sender, VmId),
        TransactionType.VmData => TransactionBuilder.VmData(ChainId, Nonce, FeePerByte, Sender, VmId, Data, Value),
        TransactionType.JoinAsValidator => TransactionBuilder.JoinAsValidator(ChainId, Nonce, FeePerByte, Sender, Amount),
        TransactionType.Delegate => TransactionBuilder.Delegate(ChainId, Nonce, FeePerByte, Sender, Validator, Amount),
        TransactionType.Undelegate => TransactionBuilder.Undelegate(ChainId, Nonce, FeePerByte, Sender, Validator, Amount),
        TransactionType.DoubleSignEvidence => TransactionBuilder.DoubleSignEvidence(ChainId, Nonce, FeePerByte, Sender, VoteA, VoteB),
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    /// <summary>Signed with a fixed signature per type (see <see cref="TestKeys.SignDeterministic"/>); built once.</summary>
    public static byte[] Signed(TransactionType type) => s_signed[type];

    private static readonly Dictionary<TransactionType, byte[]> s_signed = Enum.GetValues<TransactionType>()
        .ToDictionary(t => t, t => TestKeys.SealDeterministic(Unsigned(t), TestKeys.Alice, $"sample/{t}"));

    public static TheoryData<TransactionType> AllTypes => [.. Enum.GetValues<TransactionType>()];

    public static Transaction Decode(byte[] raw)
    {
        Assert.True(TransactionCodec.TryDecode(raw, out var tx, out var error, out var message), $"{error}: {message}");
        return tx;
    }

    public static DecodeError DecodeError(byte[] raw, int maxSize = TransactionCodec.AbsoluteMaxSize)
    {
        bool ok = TransactionCodec.TryDecode(raw, maxSize, out var tx, out var error, out var message);
        Assert.False(ok, "expected the input to be rejected");
        Assert.Null(tx);
        Assert.NotEqual(Core.DecodeError.None, error);
        Assert.False(string.IsNullOrWhiteSpace(message), "a rejection carries a message");
        return error;
    }

    /// <summary>Big-endian u16 signature length trailer of a signed encoding.</summary>
    public static int SignatureLength(byte[] raw) => (raw[^2] << 8) | raw[^1];
}
