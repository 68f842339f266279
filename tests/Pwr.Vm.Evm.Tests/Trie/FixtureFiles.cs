namespace Pwr.Vm.Evm.Tests.Trie;

/// <summary>Locates the shared Ethereum fixtures beside the repository (../shared/fixtures from the folder holding Pwr.slnx).</summary>
internal static class FixtureFiles
{
    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Pwr.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Pwr.slnx not found above " + AppContext.BaseDirectory);
    }

    public static string Folder(params string[] parts)
        => Path.GetFullPath(Path.Combine([RepositoryRoot(), "..", "shared", "fixtures", .. parts]));
}
