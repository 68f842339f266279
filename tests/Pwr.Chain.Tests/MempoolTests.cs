using Pwr.Core;

namespace Pwr.Chain.Tests;

public sealed class MempoolTests
{
    private sealed class ManualTime : TimeProvider
    {
        public long Ticks;
        public override long GetTimestamp() => Ticks;
        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }

    private static readonly FalconKeyPair Key = DevnetKeys.Account(3);

    private static Transaction Tx(uint nonce, ulong amount = 1)
    {
        var raw = TransactionBuilder.Sign(TransactionBuilder.Transfer(0x50, nonce, 1000, Key.Address, Address.Zero, amount), Key);
        Assert.True(TransactionCodec.TryDecode(raw, out var tx, out _, out _));
        return tx;
    }

    [Fact]
    public void Expired_transactions_are_evicted()
    {
        var time = new ManualTime();
        var pool = new Mempool(new ChainOptions { MempoolTimeToLive = TimeSpan.FromSeconds(60) }, time);
        var account = new Account(10 * Units.PerPwr, 0, Key.PublicKey);
        Assert.True(pool.TryAdd(Tx(0), Key.PublicKey, 1000, account).Accepted);
        time.Ticks += TimeSpan.FromSeconds(30).Ticks;
        Assert.True(pool.TryAdd(Tx(1), Key.PublicKey, 1000, account).Accepted);
        Assert.Equal(0, pool.EvictExpired());
        time.Ticks += TimeSpan.FromSeconds(31).Ticks;
        Assert.Equal(1, pool.EvictExpired());
        Assert.Equal(1, pool.Count);
    }

    [Fact]
    public void Committed_nonces_make_pending_transactions_stale()
    {
        var pool = new Mempool(new ChainOptions(), TimeProvider.System);
        var account = new Account(10 * Units.PerPwr, 0, Key.PublicKey);
        for (uint n = 0; n < 3; n++) Assert.True(pool.TryAdd(Tx(n), Key.PublicKey, 1000, account).Accepted);
        pool.OnBlockCommitted([Tx(5)], _ => 2);
        Assert.Equal(1, pool.Count);
        Assert.Equal(2u, pool.Snapshot(10).Single().Tx.Nonce);
    }

    [Fact]
    public void Snapshot_orders_each_sender_by_nonce()
    {
        var pool = new Mempool(new ChainOptions(), TimeProvider.System);
        var account = new Account(10 * Units.PerPwr, 0, Key.PublicKey);
        foreach (var n in new uint[] { 2, 0, 1 }) Assert.True(pool.TryAdd(Tx(n), Key.PublicKey, 1000, account).Accepted);
        Assert.Equal([0u, 1u, 2u], pool.Snapshot(10).Select(p => p.Tx.Nonce).ToArray());
        Assert.Equal(2, pool.Snapshot(2).Count);
    }
}
