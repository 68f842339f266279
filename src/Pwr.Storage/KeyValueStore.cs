using RocksDbSharp;

namespace Pwr.Storage;

/// <summary>A RocksDB database with named column families; all multi-key changes go through <see cref="StoreBatch"/>.</summary>
public sealed class KeyValueStore : IDisposable
{
    private readonly RocksDb _db;
    private readonly Dictionary<string, ColumnFamily> _families = new(StringComparer.Ordinal);
    private readonly WriteOptions _syncWrite = new WriteOptions().SetSync(true);
    private readonly WriteOptions _fastWrite = new WriteOptions().SetSync(false);

    public string Path { get; }

    private KeyValueStore(string path, RocksDb db, IEnumerable<string> families)
    {
        Path = path;
        _db = db;
        foreach (var name in families) _families[name] = new ColumnFamily(name, db.GetColumnFamily(name));
    }

    /// <summary>Opens (creating if needed) a database with the given column families.</summary>
    public static KeyValueStore Open(string path, params string[] columnFamilies)
    {
        Directory.CreateDirectory(path);
        var options = new DbOptions()
            .SetCreateIfMissing(true)
            .SetCreateMissingColumnFamilies(true)
            .SetMaxBackgroundCompactions(1)
            .SetMaxOpenFiles(512);
        var families = new ColumnFamilies();
        // Bloom filters make lookups of absent keys (duplicate-tx checks, fresh accounts) skip the SST files.
        var table = new BlockBasedTableOptions().SetFilterPolicy(BloomFilterPolicy.Create(10, false)).SetWholeKeyFiltering(true);
        foreach (var name in columnFamilies.Where(n => n != "default"))
            families.Add(name, new ColumnFamilyOptions().SetWriteBufferSize(32 * 1024 * 1024).SetBlockBasedTableFactory(table));
        try
        {
            var db = RocksDb.Open(options, path, families);
            return new KeyValueStore(path, db, columnFamilies.Append("default").Distinct());
        }
        catch (RocksDbException e)
        {
            throw new IOException($"cannot open the RocksDB database at '{path}': {e.Message}. Is another pwr process using it?", e);
        }
    }

    /// <summary>
    /// Opens an existing database (e.g. a <see cref="SaveCheckpoint"/> directory) read-only: nothing in it changes, so
    /// the same checkpoint can be read any number of times.
    /// </summary>
    public static KeyValueStore OpenReadOnly(string path, params string[] columnFamilies)
    {
        // VM agreement reads a fresh checkpoint every second: by default each open starts 16 table-loading threads and
        // builds a block cache per column family, which at that rate costs more kernel time than the reads themselves.
        var table = new BlockBasedTableOptions().SetNoBlockCache(true);
        var families = new ColumnFamilies(new ColumnFamilyOptions().SetBlockBasedTableFactory(table));
        foreach (var name in columnFamilies.Where(n => n != "default")) families.Add(name, new ColumnFamilyOptions().SetBlockBasedTableFactory(table));
        try
        {
            var db = RocksDb.OpenReadOnly(new DbOptions().SetMaxFileOpeningThreads(1), path, families, false);
            return new KeyValueStore(path, db, columnFamilies.Append("default").Distinct());
        }
        catch (RocksDbException e)
        {
            throw new IOException($"cannot open the RocksDB database at '{path}' read-only: {e.Message}", e);
        }
    }

    /// <summary>
    /// Writes an openable, consistent snapshot of the database to <paramref name="directory"/> (which must not exist,
    /// and should be on the same file system): SST files are hard-linked, so it costs little time and space. Every
    /// atomic batch written before the call is in it, none written after.
    /// </summary>
    public void SaveCheckpoint(string directory)
    {
        using var checkpoint = _db.Checkpoint();
        // Copying a small WAL instead of flushing memtables keeps frequent checkpoints from piling up tiny SST files.
        checkpoint.Save(directory, CheckpointWalCopyLimit);
    }

    private const ulong CheckpointWalCopyLimit = 8UL * 1024 * 1024;

    public ColumnFamily Family(string name)
        => _families.TryGetValue(name, out var cf) ? cf : throw new ArgumentException($"column family '{name}' was not opened", nameof(name));

    public byte[]? Get(ColumnFamily cf, ReadOnlySpan<byte> key) => _db.Get(key, cf.Handle);

    public bool Has(ColumnFamily cf, ReadOnlySpan<byte> key) => _db.HasKey(key, cf.Handle);

    /// <summary>Writes single key outside a batch; for data that need no atomicity with anything else.</summary>
    public void Put(ColumnFamily cf, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => _db.Put(key, value, cf.Handle, _fastWrite);

    public StoreBatch CreateBatch() => new();

    /// <summary>Applies a batch atomically. <paramref name="sync"/> fsyncs the WAL: use it for finalized data.</summary>
    public void Write(StoreBatch batch, bool sync = true) => _db.Write(batch.Inner, sync ? _syncWrite : _fastWrite);

    /// <summary>Iterates keys starting with <paramref name="prefix"/> in byte order.</summary>
    public IEnumerable<KeyValuePair<byte[], byte[]>> Scan(ColumnFamily cf, byte[] prefix, byte[]? startAt = null)
    {
        using var it = _db.NewIterator(cf.Handle);
        it.Seek(startAt ?? prefix);
        while (it.Valid())
        {
            var key = it.Key();
            if (!key.AsSpan().StartsWith(prefix)) yield break;
            yield return new(key, it.Value());
            it.Next();
        }
    }

    /// <summary>Visits keys with a prefix without allocating per entry; the spans are valid only during the call.</summary>
    public void ScanSpans(ColumnFamily cf, ReadOnlySpan<byte> prefix, SpanVisitor visitor)
    {
        using var it = _db.NewIterator(cf.Handle);
        it.Seek(prefix);
        while (it.Valid())
        {
            var key = it.GetKeySpan();
            if (!key.StartsWith(prefix)) return;
            if (!visitor(key, it.GetValueSpan())) return;
            it.Next();
        }
    }

    /// <summary>A reusable iterator: seeking on one cursor is much cheaper than opening an iterator per lookup.</summary>
    public StoreCursor OpenCursor(ColumnFamily cf) => new(_db.NewIterator(cf.Handle));

    /// <summary>The last key/value of a column family, or null when empty.</summary>
    public KeyValuePair<byte[], byte[]>? Last(ColumnFamily cf)
    {
        using var it = _db.NewIterator(cf.Handle);
        it.SeekToLast();
        return it.Valid() ? new(it.Key(), it.Value()) : null;
    }

    public void Dispose() => _db.Dispose();
}

/// <summary>Receives one key/value; return false to stop the scan.</summary>
public delegate bool SpanVisitor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

/// <summary>A named RocksDB column family.</summary>
public sealed class ColumnFamily(string name, ColumnFamilyHandle handle)
{
    public string Name { get; } = name;
    internal ColumnFamilyHandle Handle { get; } = handle;
}

/// <summary>An atomic group of writes across column families.</summary>
public sealed class StoreBatch : IDisposable
{
    internal WriteBatch Inner { get; } = new();
    public int Count => Inner.Count();
    public void Put(ColumnFamily cf, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value) => Inner.Put(key, value, cf.Handle);
    public void Delete(ColumnFamily cf, ReadOnlySpan<byte> key) => Inner.Delete(key, cf.Handle);

    /// <summary>Empties the batch for reuse. RocksDB keeps the buffer it grew, so a writer that reuses one batch
    /// stops paying for regrowth copies and fresh pages (a block of 20k transfers is a batch of tens of MB).</summary>
    public void Clear() => Inner.Clear();

    public void Dispose() => Inner.Dispose();
}

/// <summary>A RocksDB iterator over one column family; spans are valid until the next move.</summary>
public sealed class StoreCursor : IDisposable
{
    private readonly Iterator _it;
    internal StoreCursor(Iterator it) => _it = it;
    public void Seek(ReadOnlySpan<byte> key) => _it.Seek(key);
    public bool Valid => _it.Valid();
    public ReadOnlySpan<byte> Key => _it.GetKeySpan();
    public ReadOnlySpan<byte> Value => _it.GetValueSpan();
    public void Next() => _it.Next();
    public void Dispose() => _it.Dispose();
}
