namespace Pwr.Cli.Tests.Infrastructure;

/// <summary>A fresh directory under the system temp folder, deleted (best effort) on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir(string label)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"pwr-cli-tests-{label}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>A path inside this directory that does not exist yet.</summary>
    public string Sub(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        for (int attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                if (Directory.Exists(Path)) Directory.Delete(Path, recursive: true);
                return;
            }
            catch (IOException) { Thread.Sleep(200); }
            catch (UnauthorizedAccessException) { Thread.Sleep(200); }
        }
    }
}
