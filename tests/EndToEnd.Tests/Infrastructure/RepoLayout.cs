using System.Reflection;

namespace IronOrleans.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Where the executables under test were built. The test project references them (without referencing their
/// assemblies), so <c>dotnet test</c> builds them first; each one runs from its own output directory.
/// </summary>
public static class RepoLayout
{
    private static readonly Lazy<string> Root = new(FindRoot);

    /// <summary>The repository root (the directory holding IronOrleans.sln).</summary>
    public static string RepositoryRoot => Root.Value;

    public static string Silo => Dll("Silo", "IronOrleans.Silo");

    public static string Gateway => Dll("Gateway", "IronOrleans.Gateway");

    public static string NodeAgent => Dll("NodeAgent", "IronOrleans.NodeAgent");

    public static string PacketCoreDaemon => Dll("PacketCore/Daemon", "IronOrleans.PacketCore.Daemon");

    private static string Dll(string projectDirectory, string assembly)
    {
        var configuration = Metadata("IronOrleans.BuildConfiguration");
        var framework = Metadata("IronOrleans.TargetFramework");
        var path = Path.Combine(RepositoryRoot, projectDirectory, "bin", configuration, framework, assembly + ".dll");
        Assert.True(File.Exists(path),
            $"{path} is missing. It is built by the ProjectReference in IronOrleans.EndToEnd.Tests.csproj; build the test project " +
            $"with the same configuration ({configuration}) it runs with.");
        return path;
    }

    private static string Metadata(string key) =>
        typeof(RepoLayout).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value
        ?? throw new InvalidOperationException($"assembly metadata {key} is empty");

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        for (var depth = 0; directory is not null && depth < 20; depth++, directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "IronOrleans.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No IronOrleans.sln above {AppContext.BaseDirectory}; the test must run from the repository's build output.");
    }
}
