using System.Numerics;
using Pwr.Core;
using Pwr.Vm.Evm.Transactions;

namespace Pwr.Vm.Evm.Tests.Transactions;

public class TransactionDecoderTests
{
    private static readonly byte[] AnvilKey0 = Hex.Decode("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
    private static readonly Address AnvilAddress0 = Address.Parse("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    private static readonly BigInteger Order = BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber);

    // The worked example of EIP-155: nonce 9, 20 gwei, 21000 gas, 1 ether to 0x3535…35 on chain 1, key 0x4646…46.
    private static readonly UnsignedTransaction Eip155Example = new()
    {
        Type = EthereumTransactionType.Legacy, ChainId = 1, Nonce = 9, GasPrice = 20_000_000_000, GasLimit = 21_000,
        To = Address.Parse("0x3535353535353535353535353535353535353535"), Value = BigInteger.Pow(10, 18),
    };

    private static byte[] Key46 => Enumerable.Repeat((byte)0x46, 32).ToArray();

    private static SignedTransaction Decode(byte[] raw, ulong chainId = 1)
    {
        Assert.True(TransactionDecoder.TryDecode(raw, chainId, out var tx, out var failure), failure.Message);
        return tx;
    }

    private static TransactionFailure Reject(byte[] raw, ulong chainId = 1)
    {
        Assert.False(TransactionDecoder.TryDecode(raw, chainId, out _, out var failure));
        return failure;
    }

    [Fact]
    public void Eip155_example_has_the_published_signing_payload_hash_and_signature()
    {
        Assert.Equal("0xec098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a764000080018080",
            Hex.Encode(TransactionEncoder.EncodeForSigning(Eip155Example)));
        Assert.Equal("0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53", TransactionEncoder.SigningHash(Eip155Example).ToString());
        var raw = TransactionSigner.Sign(Eip155Example, Key46);
        Assert.Equal("0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83",
            Hex.Encode(raw));
        var tx = Decode(raw);
        Assert.Equal(new BigInteger(37), tx.V);
        Assert.Equal(BigInteger.Parse("18515461264373351373200002665853028612451056578545711640558177340181847433846"), tx.R);
        Assert.Equal(BigInteger.Parse("46948507304638947509940763649030358759909902576025900602547168820602576006531"), tx.S);
        Assert.Equal(Secp256k1.EthereumAddressOfPrivateKey(Key46), tx.Sender);
        Assert.Equal(Keccak.Hash256(raw), tx.Hash);
    }

    public static TheoryData<string> Kinds => new() { "legacy", "eip155", "eip2930", "eip1559", "eip1559-create" };

    private static UnsignedTransaction Sample(string kind) => kind switch
    {
        "legacy" => new() { Type = EthereumTransactionType.Legacy, Nonce = 0, GasPrice = 1, GasLimit = 21_000, To = AnvilAddress0, Value = 1 },
        "eip155" => new() { Type = EthereumTransactionType.Legacy, ChainId = 1, Nonce = 5, GasPrice = 3_000_000_000, GasLimit = 50_000, To = AnvilAddress0, Data = [1, 0, 2] },
        "eip2930" => new()
        {
            Type = EthereumTransactionType.AccessList, ChainId = 1, Nonce = 300, GasPrice = 7, GasLimit = 100_000, To = AnvilAddress0,
            AccessList = [new(AnvilAddress0, [Hash32.Zero, Keccak.Hash256("k"u8)]), new(Address.Zero, [])],
        },
        "eip1559" => new()
        {
            Type = EthereumTransactionType.DynamicFee, ChainId = 1, Nonce = ulong.MaxValue - 1, MaxPriorityFeePerGas = 2, MaxFeePerGas = 100,
            GasLimit = 60_000, To = AnvilAddress0, Value = (BigInteger.One << 255) + 7, Data = new byte[100],
            AccessList = [new(AnvilAddress0, [Keccak.Hash256("slot"u8)])],
        },
        _ => new() { Type = EthereumTransactionType.DynamicFee, ChainId = 1, MaxFeePerGas = 10, GasLimit = 100_000, Data = new byte[70] },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Signed_transaction_decodes_to_its_fields_and_signer(string kind)
    {
        var unsigned = Sample(kind);
        var raw = TransactionSigner.Sign(unsigned, AnvilKey0);
        var tx = Decode(raw);
        Assert.Equal(AnvilAddress0, tx.Sender);
        Assert.Equal(Keccak.Hash256(raw), tx.Hash);
        Assert.Equal(TransactionEncoder.SigningHash(unsigned), tx.SigningHash);
        Assert.Equal(unsigned.Type, tx.Type);
        Assert.Equal(unsigned.ChainId, tx.ChainId);
        Assert.Equal(unsigned.Nonce, tx.Nonce);
        Assert.Equal(unsigned.GasPrice, tx.GasPrice);
        Assert.Equal(unsigned.MaxFeePerGas, tx.MaxFeePerGas);
        Assert.Equal(unsigned.MaxPriorityFeePerGas, tx.MaxPriorityFeePerGas);
        Assert.Equal(unsigned.GasLimit, tx.GasLimit);
        Assert.Equal(unsigned.To, tx.To);
        Assert.Equal(unsigned.Value, tx.Value);
        Assert.Equal(unsigned.Data, tx.Data);
        Assert.Equal(unsigned.AccessList.Count, tx.AccessList.Count);
        for (int i = 0; i < tx.AccessList.Count; i++)
        {
            Assert.Equal(unsigned.AccessList[i].Address, tx.AccessList[i].Address);
            Assert.Equal(unsigned.AccessList[i].StorageKeys, tx.AccessList[i].StorageKeys);
        }
        Assert.True(tx.S <= Order / 2);
        // Re-encoding the decoded transaction gives back the same bytes.
        Assert.Equal(raw, TransactionEncoder.EncodeSigned(tx, tx.YParity, tx.R.ToByteArray(true, true), tx.S.ToByteArray(true, true)));
    }

    [Fact]
    public void Typed_transaction_hash_covers_the_type_byte()
    {
        var raw = TransactionSigner.Sign(Sample("eip1559"), AnvilKey0);
        Assert.Equal(0x02, raw[0]);
        Assert.Equal(Keccak.Hash256(raw), Decode(raw).Hash);
    }

    [Theory]
    [InlineData(0x03)]
    [InlineData(0x04)]
    [InlineData(0x00)]
    [InlineData(0x7f)]
    public void Blob_and_unknown_transaction_types_are_not_supported(byte type)
    {
        var raw = TransactionSigner.Sign(Sample("eip1559"), AnvilKey0);
        raw[0] = type;
        var failure = Reject(raw);
        Assert.Equal(TransactionError.TypeNotSupported, failure.Error);
        Assert.Equal("transaction type not supported", failure.Message);
    }

    [Fact]
    public void High_s_is_rejected_per_eip2()
    {
        var tx = Decode(TransactionSigner.Sign(Sample("eip1559"), AnvilKey0));
        var highS = (Order - tx.S).ToByteArray(true, true);
        var raw = TransactionEncoder.EncodeSigned(tx, tx.YParity ^ 1, tx.R.ToByteArray(true, true), highS);
        Assert.Equal(TransactionError.InvalidSignatureValues, Reject(raw).Error);
    }

    [Fact]
    public void Signature_with_zero_r_is_rejected()
    {
        var tx = Decode(TransactionSigner.Sign(Sample("eip155"), AnvilKey0));
        var raw = TransactionEncoder.EncodeSigned(tx, tx.YParity, [0], tx.S.ToByteArray(true, true));
        Assert.Equal(TransactionError.InvalidSignatureValues, Reject(raw).Error);
    }

    [Fact]
    public void Other_chains_transactions_are_rejected()
    {
        Assert.Equal(TransactionError.InvalidChainId, Reject(TransactionSigner.Sign(Sample("eip155"), AnvilKey0), chainId: 5).Error);
        Assert.Equal(TransactionError.InvalidChainId, Reject(TransactionSigner.Sign(Sample("eip1559"), AnvilKey0), chainId: 5).Error);
        // A pre-EIP-155 transaction names no chain and is valid on any.
        Assert.Equal(AnvilAddress0, Decode(TransactionSigner.Sign(Sample("legacy"), AnvilKey0), chainId: 5).Sender);
    }

    [Fact]
    public void Gas_below_intrinsic_gas_is_rejected()
    {
        var raw = TransactionSigner.Sign(Sample("eip155") with { GasLimit = 21_000 }, AnvilKey0);
        var failure = Reject(raw);
        Assert.Equal(TransactionError.IntrinsicGasTooLow, failure.Error);
        Assert.Equal("intrinsic gas too low", failure.Message);
    }

    [Fact]
    public void Initcode_over_the_eip3860_limit_is_rejected()
    {
        var raw = TransactionSigner.Sign(Sample("eip1559-create") with { Data = new byte[IntrinsicGas.MaxInitCodeSize + 1], GasLimit = 10_000_000 }, AnvilKey0);
        Assert.Equal(TransactionError.InitCodeTooLarge, Reject(raw).Error);
    }

    [Fact]
    public void Priority_fee_above_fee_cap_is_rejected()
    {
        var raw = TransactionSigner.Sign(Sample("eip1559") with { MaxPriorityFeePerGas = 101 }, AnvilKey0);
        Assert.Equal(TransactionError.TipAboveFeeCap, Reject(raw).Error);
    }

    [Fact]
    public void Trailing_bytes_are_an_rlp_error()
    {
        var raw = TransactionSigner.Sign(Sample("eip155"), AnvilKey0);
        var failure = Reject([.. raw, 0x00]);
        Assert.Equal(TransactionError.Rlp, failure.Error);
        Assert.Equal(Pwr.Vm.Evm.Rlp.RlpError.TrailingBytes, failure.RlpError);
        Assert.StartsWith("rlp: ", failure.Message);
    }

    [Fact]
    public void Empty_input_is_an_rlp_error()
        => Assert.Equal(TransactionError.Rlp, Reject([]).Error);

    [Fact]
    public void Intrinsic_gas_counts_data_create_initcode_and_access_list()
    {
        Assert.Equal(21_000UL, IntrinsicGas.Compute([], false, []));
        Assert.Equal(21_000UL + 4 + 16 * 2, IntrinsicGas.Compute([0, 1, 2], false, []));
        // Creation: 53000, 33 zero bytes at 4, two initcode words at 2.
        Assert.Equal(53_000UL + 33 * 4 + 2 * 2, IntrinsicGas.Compute(new byte[33], true, []));
        Assert.Equal(21_000UL + 2 * 2_400 + 3 * 1_900,
            IntrinsicGas.Compute([], false, [new(Address.Zero, [Hash32.Zero, Hash32.Zero]), new(Address.Zero, [Hash32.Zero])]));
    }
}
