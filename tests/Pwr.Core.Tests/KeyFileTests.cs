using System.Text.Json;
using Pwr.Core;

namespace Pwr.Core.Tests;

public sealed class KeyFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pwr-keyfile-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir)) Directory.Delete(_dir, recursive: true);
    }

    private string PathOf(string name) => Path.Combine(_dir, name);

    private string WriteJson(string name, string json)
    {
        Directory.CreateDirectory(_dir);
        var path = PathOf(name);
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public void Saved_key_loads_back_identical_and_still_signs()
    {
        var path = PathOf("nested/dir/key.json");
        KeyFile.Save(path, TestKeys.Alice);
        var loaded = KeyFile.Load(path);
        Assert.Equal(TestKeys.Alice.Address, loaded.Address);
        Assert.Equal(TestKeys.Alice.PublicKey, loaded.PublicKey);
        Assert.Equal(TestKeys.Alice.PrivateKey, loaded.PrivateKey);
        var message = new byte[32];
        Assert.True(Falcon512.Verify(TestKeys.Alice.PublicKey, message, loaded.Sign(message)));
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void Saved_key_file_has_address_and_hex_keys()
    {
        var path = PathOf("key.json");
        KeyFile.Save(path, TestKeys.Alice);
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(TestKeys.Alice.Address.ToString(), doc.RootElement.GetProperty("address").GetString());
        Assert.Equal(Hex.Encode(TestKeys.Alice.PublicKey), doc.RootElement.GetProperty("publicKey").GetString());
        Assert.Equal(Hex.Encode(TestKeys.Alice.PrivateKey), doc.RootElement.GetProperty("privateKey").GetString());
    }

    [Fact]
    public void Saved_key_file_is_readable_by_its_owner_only()
    {
        if (OperatingSystem.IsWindows()) return;
        var path = PathOf("key.json");
        KeyFile.Save(path, TestKeys.Alice);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void Saving_over_an_existing_key_file_replaces_it()
    {
        var path = PathOf("key.json");
        KeyFile.Save(path, TestKeys.Alice);
        KeyFile.Save(path, TestKeys.Bob);
        Assert.Equal(TestKeys.Bob.Address, KeyFile.Load(path).Address);
    }

    [Fact]
    public void Loading_a_missing_file_says_it_does_not_exist_and_how_to_create_one()
    {
        var path = PathOf("absent.json");
        var e = Assert.Throws<FileNotFoundException>(() => KeyFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("does not exist", e.Message);
        Assert.Contains("pwr account new", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    [InlineData("{\"publicKey\": 5}")]
    public void Loading_invalid_json_says_it_is_not_valid_json(string json)
    {
        var path = WriteJson("bad.json", json);
        var e = Assert.Throws<InvalidDataException>(() => KeyFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("not valid JSON", e.Message);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("{}")]
    [InlineData("{\"publicKey\": \"0x12\"}")]
    [InlineData("{\"publicKey\": \"zz\", \"privateKey\": \"00\"}")]
    public void Loading_json_without_hex_keys_says_what_is_missing(string json)
    {
        var path = WriteJson("incomplete.json", json);
        var e = Assert.Throws<InvalidDataException>(() => KeyFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("publicKey or privateKey", e.Message);
    }

    [Fact]
    public void Loading_a_file_whose_address_does_not_match_its_key_names_both_addresses()
    {
        var path = PathOf("key.json");
        KeyFile.Save(path, TestKeys.Alice);
        var text = File.ReadAllText(path).Replace(TestKeys.Alice.Address.ToString(), TestKeys.Bob.Address.ToString());
        File.WriteAllText(path, text);
        var e = Assert.Throws<InvalidDataException>(() => KeyFile.Load(path));
        Assert.Contains(TestKeys.Bob.Address.ToString(), e.Message);
        Assert.Contains(TestKeys.Alice.Address.ToString(), e.Message);
    }

    [Fact]
    public void Loading_a_file_whose_address_is_not_an_address_is_refused()
    {
        var path = PathOf("key.json");
        KeyFile.Save(path, TestKeys.Alice);
        File.WriteAllText(path, File.ReadAllText(path).Replace(TestKeys.Alice.Address.ToString(), "0xnot-an-address"));
        var e = Assert.Throws<InvalidDataException>(() => KeyFile.Load(path));
        Assert.Contains("0xnot-an-address", e.Message);
    }

    [Fact]
    public void Loading_a_file_with_a_private_key_of_the_wrong_size_names_the_file()
    {
        var path = WriteJson("short.json",
            $"{{\"address\": \"{TestKeys.Alice.Address}\", \"publicKey\": \"{Hex.Encode(TestKeys.Alice.PublicKey)}\", \"privateKey\": \"0x0102\"}}");
        var e = Assert.Throws<InvalidDataException>(() => KeyFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("1280", e.Message);
    }

    [Fact]
    public void Loading_a_file_without_an_address_derives_it_from_the_public_key()
    {
        var path = WriteJson("noaddr.json",
            $"{{\"publicKey\": \"{Hex.Encode(TestKeys.Alice.PublicKey)}\", \"privateKey\": \"{Hex.Encode(TestKeys.Alice.PrivateKey)}\"}}");
        Assert.Equal(TestKeys.Alice.Address, KeyFile.Load(path).Address);
    }

    [Fact]
    public void Loading_a_file_whose_private_key_belongs_to_another_public_key_is_refused()
    {
        var path = WriteJson("mixed.json",
            $"{{\"address\": \"{TestKeys.Alice.Address}\", \"publicKey\": \"{Hex.Encode(TestKeys.Alice.PublicKey)}\", \"privateKey\": \"{Hex.Encode(TestKeys.Bob.PrivateKey)}\"}}");
        var e = Assert.Throws<InvalidDataException>(() => KeyFile.Load(path));
        Assert.Contains("does not belong", e.Message);
        Assert.Contains(path, e.Message);
    }
}
