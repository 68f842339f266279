using System.Text.Json;
using System.Text.Json.Serialization;

namespace Pwr.Core;

/// <summary>A Falcon-512 key pair on disk as JSON: address, public key and private key in hex.</summary>
public static class KeyFile
{
    private sealed record Model(
        [property: JsonPropertyName("address")] string Address,
        [property: JsonPropertyName("publicKey")] string PublicKey,
        [property: JsonPropertyName("privateKey")] string PrivateKey);

    public static void Save(string path, FalconKeyPair key)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null) Directory.CreateDirectory(dir);
        var json = JsonSerializer.Serialize(new Model(key.Address.ToString(), Hex.Encode(key.PublicKey), Hex.Encode(key.PrivateKey)),
            new JsonSerializerOptions { WriteIndented = true });
        var tmp = path + ".tmp";
        File.Delete(tmp); // a leftover temp file would keep its old mode: create afresh
        // Owner-only from creation: setting the mode after writing would leave the private key readable meanwhile.
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var writer = new StreamWriter(tmp, options)) writer.Write(json);
        File.Move(tmp, path, overwrite: true);
    }

    public static FalconKeyPair Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"key file '{path}' does not exist; create one with 'pwr account new'", path);
        Model? m;
        try { m = JsonSerializer.Deserialize<Model>(File.ReadAllText(path)); }
        catch (JsonException e) { throw new InvalidDataException($"key file '{path}' is not valid JSON: {e.Message}"); }
        if (m is null || !Hex.TryDecode(m.PublicKey, out var pub) || !Hex.TryDecode(m.PrivateKey, out var priv))
            throw new InvalidDataException($"key file '{path}' lacks a hex publicKey or privateKey");
        FalconKeyPair key;
        try { key = FalconKeyPair.FromPrivateKey(priv, pub); }
        catch (ArgumentException e) { throw new InvalidDataException($"key file '{path}' holds no valid Falcon-512 key pair: {e.Message}"); }
        if (m.Address is not null)
        {
            if (!Address.TryParse(m.Address, out var a))
                throw new InvalidDataException($"key file '{path}' has address '{m.Address}', which is not a 20-byte hex address");
            if (a != key.Address)
                throw new InvalidDataException($"key file '{path}' says address {m.Address} but its public key gives {key.Address}");
        }
        // One signature (~2 ms) proves the private half belongs to the public half, before anything is signed with it.
        byte[] probe = Keccak.Hash256(System.Text.Encoding.UTF8.GetBytes("pwr key file check")).ToArray();
        if (!Falcon512.Verify(key.PublicKey, probe, key.Sign(probe)))
            throw new InvalidDataException($"key file '{path}': the private key does not belong to the public key {key.Address}");
        return key;
    }
}
