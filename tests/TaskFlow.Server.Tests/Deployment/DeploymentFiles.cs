using YamlDotNet.RepresentationModel;

namespace TaskFlow.Server.Tests.Deployment;

/// <summary>The repository's deployment files (<c>docker/</c>), found from the test assembly's folder.</summary>
internal static class DeploymentFiles
{
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static string Compose => InRepository("docker", "docker-compose.yml");

    /// <summary>The override that adds container workspaces on the host's Docker engine.</summary>
    public static string ComposeWorkspaces => InRepository("docker", "docker-compose.workspaces.yml");

    public static string Dockerfile => InRepository("docker", "Dockerfile");

    /// <summary>BuildKit's per-Dockerfile ignore file: the build context is the repository root.</summary>
    public static string DockerIgnore => InRepository("docker", "Dockerfile.dockerignore");

    public static string Prometheus => InRepository("docker", "prometheus", "prometheus.yml");

    public static string EnvExample => InRepository("docker", ".env.example");

    public static string InRepository(params string[] parts) => Path.Combine([RepositoryRoot, .. parts]);

    public static YamlMappingNode LoadYaml(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
        {
            stream.Load(reader);
        }

        Assert.True(stream.Documents.Count == 1, $"{path} should hold one YAML document, not {stream.Documents.Count}.");
        return Assert.IsType<YamlMappingNode>(stream.Documents[0].RootNode);
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TaskFlow.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"TaskFlow.sln not found above {AppContext.BaseDirectory}.");
    }
}

/// <summary>Small accessors over YamlDotNet's node tree, failing with the path that is missing.</summary>
internal static class YamlNodes
{
    public static YamlNode? Child(this YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var child) ? child : null;

    public static YamlMappingNode Mapping(this YamlMappingNode node, string key, string where) =>
        node.Child(key) as YamlMappingNode ?? throw new Xunit.Sdk.XunitException($"{where}: '{key}' is missing or not a mapping.");

    public static YamlSequenceNode Sequence(this YamlMappingNode node, string key, string where) =>
        node.Child(key) as YamlSequenceNode ?? throw new Xunit.Sdk.XunitException($"{where}: '{key}' is missing or not a list.");

    public static string? Scalar(this YamlMappingNode node, string key) => (node.Child(key) as YamlScalarNode)?.Value;

    public static IEnumerable<(string Key, YamlNode Value)> Entries(this YamlMappingNode node) =>
        node.Children.Select(c => (((YamlScalarNode)c.Key).Value ?? "", c.Value));

    public static IReadOnlyList<string> Strings(this YamlSequenceNode node) =>
        [.. node.Children.Select(c => (c as YamlScalarNode)?.Value ?? throw new Xunit.Sdk.XunitException($"Expected a list of strings, found {c.NodeType} at {c.Start}."))];
}
