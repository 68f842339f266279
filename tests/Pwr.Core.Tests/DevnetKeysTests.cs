using Pwr.Core;

namespace Pwr.Core.Tests;

public class DevnetKeysTests
{
    [Fact]
    public void Dev0_derives_the_same_key_every_time_and_its_address_is_that_of_its_public_key()
    {
        var first = DevnetKeys.Account(0);
        var second = DevnetKeys.Account(0);
        Assert.Equal(first.PublicKey, second.PublicKey);
        Assert.Equal(first.PrivateKey, second.PrivateKey);
        Assert.Equal(first.Address, second.Address);
        Assert.Equal(Address.FromPublicKey(first.PublicKey), first.Address);
    }

    [Fact]
    public void Dev0_address_is_pinned()
    {
        // Devnet keys are the same on every machine: this changes only if the derivation (seed, label, BouncyCastle's
        // Falcon key generator or its DRBG) changes, and then every published devnet address changes with it.
        Assert.Equal("0xb04107069ca2f98df8901a763253a4b2f0e3e6a5", DevnetKeys.Account(0).Address.ToString());
    }

    [Fact]
    public void Dev_accounts_and_the_validator_all_have_distinct_addresses()
    {
        var addresses = Enumerable.Range(0, DevnetKeys.AccountCount).Select(i => DevnetKeys.Account(i).Address)
            .Append(DevnetKeys.Validator().Address).ToList();
        Assert.Equal(addresses.Count, addresses.Distinct().Count());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(DevnetKeys.AccountCount)]
    public void Account_index_out_of_range_is_refused(int index)
        => Assert.Throws<ArgumentOutOfRangeException>(() => DevnetKeys.Account(index));
}
