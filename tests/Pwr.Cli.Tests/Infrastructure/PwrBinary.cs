namespace Pwr.Cli.Tests.Infrastructure;

/// <summary>Finds the built `pwr.dll` that process-level tests start: $PWR_DLL (set by ./test.sh) or the Release build.</summary>
internal static class PwrBinary
{
    private static readonly Lazy<string> DllPath = new(Locate);

    public static string Dll => DllPath.Value;

    public static string RepoRoot
    {
        get
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Pwr.slnx"))) return dir.FullName;
            throw new InvalidOperationException($"no Pwr.slnx above {AppContext.BaseDirectory}; cannot find the repository root");
        }
    }

    private static string Locate()
    {
        var fromEnv = Environment.GetEnvironmentVariable("PWR_DLL");
        var path = string.IsNullOrWhiteSpace(fromEnv)
            ? Path.Combine(RepoRoot, "src", "Pwr.Cli", "bin", "Release", "net10.0", "pwr.dll")
            : Path.GetFullPath(fromEnv);
        if (!File.Exists(path))
            throw new FileNotFoundException(
                $"the pwr binary is missing at '{path}'. Run ./test.sh, or build it first: dotnet build Pwr.slnx -c Release" +
                (string.IsNullOrWhiteSpace(fromEnv) ? " (or set PWR_DLL to a built pwr.dll)" : " (PWR_DLL points there)"), path);
        return path;
    }
}
