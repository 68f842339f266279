namespace Pwr.Vm.Tests;

/// <summary>A unique directory under the system temp folder, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pwr-vm-tests-" + Guid.NewGuid().ToString("N"));

    public string Path { get; }

    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A store still open on a failed test; the OS temp cleaner gets it.
        }
    }
}
