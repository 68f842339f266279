using System.Text;

namespace Pwr.Storage.Tests;

public sealed class KeyValueStoreTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] B(params byte[] bytes) => bytes;
    private static byte[] S(string s) => Encoding.UTF8.GetBytes(s);

    private KeyValueStore Open() => KeyValueStore.Open(_dir.Sub("db"), "accounts", "blocks");

    [Fact]
    public void Put_then_get_returns_the_value_and_missing_keys_return_null()
    {
        using var store = Open();
        var cf = store.Family("accounts");
        store.Put(cf, S("alice"), S("100"));
        Assert.Equal(S("100"), store.Get(cf, S("alice")));
        Assert.True(store.Has(cf, S("alice")));
        Assert.Null(store.Get(cf, S("bob")));
        Assert.False(store.Has(cf, S("bob")));
    }

    [Fact]
    public void Put_overwrites_and_empty_values_are_stored_as_present()
    {
        using var store = Open();
        var cf = store.Family("accounts");
        store.Put(cf, S("k"), S("one"));
        store.Put(cf, S("k"), S("two"));
        Assert.Equal(S("two"), store.Get(cf, S("k")));
        store.Put(cf, S("empty"), []);
        Assert.Equal(Array.Empty<byte>(), store.Get(cf, S("empty")));
        Assert.True(store.Has(cf, S("empty")));
    }

    [Fact]
    public void Column_families_are_separate_key_spaces()
    {
        using var store = Open();
        store.Put(store.Family("accounts"), S("k"), S("a"));
        store.Put(store.Family("blocks"), S("k"), S("b"));
        Assert.Equal(S("a"), store.Get(store.Family("accounts"), S("k")));
        Assert.Equal(S("b"), store.Get(store.Family("blocks"), S("k")));
        Assert.Null(store.Get(store.Family("default"), S("k")));
    }

    [Fact]
    public void Unknown_column_family_is_refused_with_its_name()
    {
        using var store = Open();
        var e = Assert.Throws<ArgumentException>(() => store.Family("nope"));
        Assert.Contains("nope", e.Message);
    }

    [Fact]
    public void Batch_writes_are_invisible_until_written_and_then_all_visible()
    {
        using var store = Open();
        var accounts = store.Family("accounts");
        var blocks = store.Family("blocks");
        store.Put(accounts, S("gone"), S("x"));

        using var batch = store.CreateBatch();
        for (int i = 0; i < 100; i++) batch.Put(accounts, S($"a{i:D3}"), S($"v{i}"));
        batch.Put(blocks, S("block-1"), S("header"));
        batch.Delete(accounts, S("gone"));
        Assert.Equal(102, batch.Count);

        Assert.Null(store.Get(accounts, S("a000")));
        Assert.Null(store.Get(blocks, S("block-1")));
        Assert.NotNull(store.Get(accounts, S("gone")));

        store.Write(batch);

        for (int i = 0; i < 100; i++) Assert.Equal(S($"v{i}"), store.Get(accounts, S($"a{i:D3}")));
        Assert.Equal(S("header"), store.Get(blocks, S("block-1")));
        Assert.Null(store.Get(accounts, S("gone")));
    }

    [Fact]
    public void A_cleared_batch_writes_only_what_was_put_after_the_clear()
    {
        using var store = Open();
        var cf = store.Family("accounts");
        using var batch = store.CreateBatch();
        batch.Put(cf, S("first"), S("1"));
        store.Write(batch);

        batch.Clear();
        Assert.Equal(0, batch.Count);
        store.Put(cf, S("first"), S("changed elsewhere"));
        batch.Put(cf, S("second"), S("2"));
        store.Write(batch);

        Assert.Equal(S("changed elsewhere"), store.Get(cf, S("first"))); // not written again by the reused batch
        Assert.Equal(S("2"), store.Get(cf, S("second")));

        batch.Clear();
        store.Write(batch); // an empty batch is a no-op
        Assert.Equal(S("2"), store.Get(cf, S("second")));
    }

    [Fact]
    public void Later_writes_in_a_batch_win_over_earlier_ones_for_the_same_key()
    {
        using var store = Open();
        var cf = store.Family("accounts");
        using var batch = store.CreateBatch();
        batch.Put(cf, S("k"), S("first"));
        batch.Put(cf, S("k"), S("second"));
        batch.Put(cf, S("d"), S("x"));
        batch.Delete(cf, S("d"));
        store.Write(batch, sync: false);
        Assert.Equal(S("second"), store.Get(cf, S("k")));
        Assert.Null(store.Get(cf, S("d")));
    }

    [Fact]
    public void Scan_returns_exactly_the_keys_with_the_prefix_in_unsigned_byte_order()
    {
        using var store = Open();
        var cf = store.Family("accounts");
        byte[][] inside = [B(0x01), B(0x01, 0x00), B(0x01, 0x00, 0x00), B(0x01, 0x7F), B(0x01, 0x80), B(0x01, 0xFF), B(0x01, 0xFF, 0xFF)];
        byte[][] outside = [B(0x00), B(0x00, 0xFF), B(0x02), B(0x02, 0x00), B(0xFF)];
        foreach (var k in inside.Concat(outside).Reverse()) store.Put(cf, k, k);

        var scanned = store.Scan(cf, B(0x01)).ToList();
        Assert.Equal(inside, scanned.Select(kv => kv.Key));
        Assert.All(scanned, kv => Assert.Equal(kv.Key, kv.Value));
    }

    [Fact]
    public void Scan_with_an_empty_prefix_visits_everything_in_order()
    {
        using var store = Open();
        var cf = store.Family("accounts");
        var random = new Random(1);
        var keys = Enumerable.Range(0, 200).Select(_ => { var k = new byte[random.Next(1, 6)]; random.NextBytes(k); return k; })
            .Distinct(ByteArrayComparer.Instance).ToList();
        foreach (var k in keys) store.Put(cf, k, k);
        keys.Sort(ByteArrayComparer.Instance);
        Assert.Equal(keys, store.Scan(cf, []).Select(kv => kv.Key));
    }

    [Fact]
    public void Scan_from_a_start_key_skips_earlier_keys_of_the_prefix()
    {
        using var store = Open();
        var cf = store.Family("accounts");
        foreach (var s in new[] { "p/a", "p/b", "p/c", "q/a" }) store.Put(cf, S(s), S(s));
        Assert.Equal(["p/b", "p/c"], store.Scan(cf, S("p/"), startAt: S("p/b")).Select(kv => Encoding.UTF8.GetString(kv.Key)));
    }

    [Fact]
    public void ScanSpans_visits_the_prefix_in_order_and_stops_when_asked()
    {
        using var store = Open();
        var cf = store.Family("accounts");
        foreach (var s in new[] { "p/c", "p/a", "p/b", "q/a" }) store.Put(cf, S(s), S(s.ToUpperInvariant()));
        var seen = new List<string>();
        store.ScanSpans(cf, S("p/"), (k, v) => { seen.Add(Encoding.UTF8.GetString(k) + "=" + Encoding.UTF8.GetString(v)); return true; });
        Assert.Equal(["p/a=P/A", "p/b=P/B", "p/c=P/C"], seen);

        seen.Clear();
        store.ScanSpans(cf, S("p/"), (k, _) => { seen.Add(Encoding.UTF8.GetString(k)); return seen.Count < 2; });
        Assert.Equal(["p/a", "p/b"], seen);
    }

    [Fact]
    public void Last_is_the_greatest_key_or_null_when_empty()
    {
        using var store = Open();
        var cf = store.Family("blocks");
        Assert.Null(store.Last(cf));
        store.Put(cf, B(0x00, 0x02), S("two"));
        store.Put(cf, B(0x00, 0x10), S("sixteen"));
        store.Put(cf, B(0x00, 0x01), S("one"));
        var last = store.Last(cf);
        Assert.NotNull(last);
        Assert.Equal(B(0x00, 0x10), last.Value.Key);
        Assert.Equal(S("sixteen"), last.Value.Value);
    }

    [Fact]
    public void Data_survives_dispose_and_reopen()
    {
        using (var store = Open())
        {
            store.Put(store.Family("accounts"), S("single"), S("1"));
            using var batch = store.CreateBatch();
            batch.Put(store.Family("blocks"), S("batched"), S("2"));
            store.Write(batch);
        }
        using (var store = Open())
        {
            Assert.Equal(S("1"), store.Get(store.Family("accounts"), S("single")));
            Assert.Equal(S("2"), store.Get(store.Family("blocks"), S("batched")));
        }
    }

    [Fact]
    public void Reopening_with_an_added_column_family_keeps_the_old_data()
    {
        using (var store = KeyValueStore.Open(_dir.Sub("db"), "accounts"))
            store.Put(store.Family("accounts"), S("k"), S("v"));
        using (var store = KeyValueStore.Open(_dir.Sub("db"), "accounts", "later"))
        {
            Assert.Equal(S("v"), store.Get(store.Family("accounts"), S("k")));
            Assert.Null(store.Get(store.Family("later"), S("k")));
        }
    }

    [Fact]
    public void Opening_a_database_that_is_already_open_fails_with_a_clear_message()
    {
        using var store = Open();
        var e = Assert.Throws<IOException>(Open);
        Assert.Contains(_dir.Sub("db"), e.Message);
        Assert.Contains("another pwr process", e.Message);
    }
}
