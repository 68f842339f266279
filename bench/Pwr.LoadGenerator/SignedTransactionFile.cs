using System.Buffers.Binary;

namespace Pwr.LoadGenerator;

/// <summary>Pre-signed transactions on disk (u32 length ‖ bytes, repeated), so benchmark reruns skip Falcon signing.</summary>
public static class SignedTransactionFile
{
    public static List<byte[]> Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var list = new List<byte[]>();
        for (int o = 0; o < bytes.Length;)
        {
            int len = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(o));
            list.Add(bytes.AsSpan(o + 4, len).ToArray());
            o += 4 + len;
        }
        return list;
    }

    /// <summary>Writes atomically (temp file, then rename), so an interrupted run never leaves a torn cache.</summary>
    public static void Write(string path, IEnumerable<byte[]> txs)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using (var f = File.Create(path + ".tmp"))
        {
            Span<byte> len = stackalloc byte[4];
            foreach (var t in txs) { BinaryPrimitives.WriteInt32BigEndian(len, t.Length); f.Write(len); f.Write(t); }
        }
        File.Move(path + ".tmp", path, overwrite: true);
    }
}
