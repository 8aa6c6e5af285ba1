using System.Xml.Linq;

namespace TaskFlow.Server.Tests.Deployment;

/// <summary>
/// docker/Dockerfile and its ignore file, read as text: no image is built here (there is no
/// container engine on the test machines). What the built image runs is exercised by
/// <see cref="ComposeFileTests.ComposeSettings_ServerAndWorkerOnPostgres_RunWorkflowAndPassHealthchecks"/>.
/// </summary>
public sealed class DockerfileTests
{
    private const string ServerProject = "src/TaskFlow.Server";

    private readonly DockerfileModel _dockerfile = DockerfileModel.Load(DeploymentFiles.Dockerfile);

    [Fact]
    public void Stages_SdkBuildThenAspNetRuntime_OfTheTargetFrameworkVersion()
    {
        var framework = XDocument.Load(DeploymentFiles.InRepository("Directory.Build.props")).Descendants("TargetFramework").Single().Value;
        var version = framework.Replace("net", "", StringComparison.Ordinal);

        Assert.Equal(2, _dockerfile.Stages.Count);
        Assert.Equal($"mcr.microsoft.com/dotnet/sdk:{version}", _dockerfile.Stages[0].Image);
        Assert.Equal($"mcr.microsoft.com/dotnet/aspnet:{version}", _dockerfile.Final.Image);
    }

    [Fact]
    public void FinalStage_EntrypointRunsTaskflowDll_PublishedFromTheServerProject()
    {
        var build = _dockerfile.Stages[0];
        var publish = PublishCommand(build);
        var project = publish[2];
        var output = publish[publish.IndexOf("-o") + 1];

        // The project it publishes exists, and its assembly is the dll the entrypoint runs.
        Assert.Equal(ServerProject, project.TrimEnd('/'));
        var csproj = Assert.Single(Directory.GetFiles(DeploymentFiles.InRepository(project.Split('/')), "*.csproj"));
        var assembly = XDocument.Load(csproj).Descendants("AssemblyName").Single().Value;
        var entrypoint = DockerfileModel.ExecForm(_dockerfile.Final.Last("ENTRYPOINT")!.Arguments, 0);
        Assert.Equal(new[] { "dotnet", assembly + ".dll" }, entrypoint);
        Assert.Equal("-c", publish[3]);
        Assert.Equal("Release", publish[4]);

        // The runtime stage copies the publish output into its working folder, and serves by default.
        var workdir = _dockerfile.Final.Last("WORKDIR")!.Arguments;
        var copy = _dockerfile.Final.All("COPY").Single(c => c.Arguments.StartsWith($"--from={build.Name} ", StringComparison.Ordinal));
        var words = DockerfileModel.Words(copy.Arguments);
        Assert.Equal(output, words[1]);
        Assert.Contains(words[2].TrimEnd('/'), new[] { ".", workdir });
        Assert.Equal(new[] { "serve" }, DockerfileModel.ExecForm(_dockerfile.Final.Last("CMD")!.Arguments, 0));
    }

    [Fact]
    public void BuildStage_CopiesEveryProjectFileTheServerNeeds_BeforeRestoring()
    {
        var build = _dockerfile.Stages[0];
        var restore = build.Instructions.ToList().FindIndex(i => i.Keyword == "RUN" && i.Arguments.StartsWith("dotnet restore ", StringComparison.Ordinal));
        Assert.True(restore > 0, "The build stage should run `dotnet restore` on its own layer.");
        var copiedBefore = build.Instructions.Take(restore).Where(i => i.Keyword == "COPY")
            .SelectMany(i => DockerfileModel.Words(i.Arguments).SkipLast(1))
            .ToHashSet(StringComparer.Ordinal);

        // The server project and every project it references (transitively), plus the central settings.
        var needed = new List<string> { "Directory.Build.props", "Directory.Packages.props" };
        needed.AddRange(ProjectClosure(DeploymentFiles.InRepository("src", "TaskFlow.Server", "TaskFlow.Server.csproj")));
        var missing = needed.Where(n => !copiedBefore.Contains(n)).ToList();
        Assert.True(missing.Count == 0, $"Copied before `dotnet restore`: {string.Join(", ", copiedBefore)}; missing: {string.Join(", ", missing)}.");

        // The sources come after the restore, so a source edit does not invalidate the package layer.
        var sources = build.Instructions.ToList().FindIndex(i => i.Keyword == "COPY" && DockerfileModel.Words(i.Arguments)[0] == "src/");
        Assert.True(sources > restore, "`COPY src/ src/` should come after `dotnet restore`.");
    }

    [Fact]
    public void FinalStage_NonRootUser_ListensOnAllInterfaces_ProbesLiveness()
    {
        var user = _dockerfile.Final.Last("USER")?.Arguments;
        Assert.NotNull(user);
        Assert.DoesNotContain(user, new[] { "root", "0", "0:0" });

        var environment = _dockerfile.Final.Environment();
        var urls = new Uri(environment["TaskFlow__Server__Urls"]);
        Assert.Equal("0.0.0.0", urls.Host);
        Assert.Equal(5080, urls.Port);
        Assert.Equal("5080", _dockerfile.Final.Last("EXPOSE")?.Arguments);
        Assert.Equal("", environment["ASPNETCORE_HTTP_PORTS"]);

        var healthcheck = HealthcheckCommand(_dockerfile);
        Assert.Equal(new[] { "taskflow-probe", "http", "/health" }, healthcheck);
        Assert.Equal("docker/probe.sh", ImageFiles(_dockerfile)["taskflow-probe"]);
    }

    [Fact]
    public void Dockerignore_KeepsWhatTheBuildCopies_LeavesOutOutputAndSecrets()
    {
        var ignore = DockerIgnore.Load(DeploymentFiles.DockerIgnore);
        var copied = _dockerfile.Stages.SelectMany(s => s.All("COPY"))
            .Select(c => DockerfileModel.Words(c.Arguments))
            .Where(w => !w[0].StartsWith("--from=", StringComparison.Ordinal))
            .SelectMany(w => w.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).SkipLast(1))
            .ToList();

        var files = new List<string>();
        foreach (var source in copied)
        {
            var path = DeploymentFiles.InRepository(source.TrimEnd('/').Split('/'));
            if (Directory.Exists(path))
            {
                // Every source file under a copied folder, leaving out build output and local data.
                files.AddRange(Directory.GetFiles(path, "*", SearchOption.AllDirectories)
                    .Select(f => Path.GetRelativePath(DeploymentFiles.RepositoryRoot, f).Replace('\\', '/'))
                    .Where(f => !f.Split('/').Any(s => s is "bin" or "obj" or ".taskflow" or "node_modules" or "dist")));
            }
            else
            {
                Assert.True(File.Exists(path), $"The Dockerfile copies {source}, which is not in the repository.");
                files.Add(source);
            }
        }

        Assert.Contains("src/TaskFlow.Server/Program.cs", files);
        var dropped = files.Where(ignore.Excludes).ToList();
        Assert.True(dropped.Count == 0, $"Left out of the build context but copied by the Dockerfile: {string.Join(", ", dropped)}");

        string[] outside =
        [
            "docker/.env", ".git/config", ".taskflow/api-key", "src/TaskFlow.Server/.taskflow/api-key",
            "src/TaskFlow.Server/bin/Release/net10.0/taskflow.dll", "src/TaskFlow.Engine/obj/project.assets.json",
            "tests/TaskFlow.Server.Tests/TaskFlow.Server.Tests.csproj", "artifacts/test-results/a.trx", "bench/RESULTS.md",
            "src/TaskFlow.Designer/node_modules/react/index.js", "src/TaskFlow.Designer/dist/index.html",
        ];
        var kept = outside.Where(f => !ignore.Excludes(f)).ToList();
        Assert.True(kept.Count == 0, $"Sent to the build context but should not be: {string.Join(", ", kept)}");
    }

    [Fact]
    public void DockerIgnore_Matching_FollowsDockerRules()
    {
        var file = Path.Combine(Path.GetTempPath(), "taskflow-dockerignore-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            File.WriteAllLines(file, ["# comment", "*", "!src", "!docker/probe.sh", "**/bin", "src/secret?.txt"]);
            var ignore = DockerIgnore.Load(file);

            Assert.True(ignore.Excludes("README.md"));
            Assert.True(ignore.Excludes("docker/Dockerfile"));
            Assert.False(ignore.Excludes("docker/probe.sh"));
            Assert.False(ignore.Excludes("src/A/A.csproj"));
            Assert.True(ignore.Excludes("src/A/bin/Release/a.dll"));
            Assert.True(ignore.Excludes("src/secret1.txt"));
            Assert.False(ignore.Excludes("src/secret12.txt"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The HEALTHCHECK's exec-form command (after <c>CMD</c>).</summary>
    internal static IReadOnlyList<string> HealthcheckCommand(DockerfileModel dockerfile)
    {
        var healthcheck = dockerfile.Final.Last("HEALTHCHECK") ?? throw new Xunit.Sdk.XunitException("The final stage has no HEALTHCHECK.");
        var at = healthcheck.Arguments.IndexOf("CMD ", StringComparison.Ordinal);
        Assert.True(at >= 0, $"HEALTHCHECK without CMD: {healthcheck.Arguments}");
        return DockerfileModel.ExecForm(healthcheck.Arguments[(at + 4)..].Trim(), healthcheck.Line);
    }

    /// <summary>Programs the final stage copies onto the PATH (/usr/local/bin), by name, with their source in the repository.</summary>
    internal static IReadOnlyDictionary<string, string> ImageFiles(DockerfileModel dockerfile) =>
        dockerfile.Final.All("COPY")
            .Select(c => DockerfileModel.Words(c.Arguments).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToList())
            .Where(w => w.Count == 2 && w[1].StartsWith("/usr/local/bin/", StringComparison.Ordinal))
            .ToDictionary(w => w[1]["/usr/local/bin/".Length..], w => w[0], StringComparer.Ordinal);

    private static List<string> PublishCommand(DockerStage build)
    {
        var run = build.All("RUN").Single(r => r.Arguments.StartsWith("dotnet publish ", StringComparison.Ordinal));
        return [.. DockerfileModel.Words(run.Arguments)];
    }

    /// <summary>Repository-relative paths of a project file and every project it references, transitively.</summary>
    private static IEnumerable<string> ProjectClosure(string csproj)
    {
        var seen = new SortedSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([Path.GetFullPath(csproj)]);
        while (pending.TryPop(out var project))
        {
            if (!seen.Add(Path.GetRelativePath(DeploymentFiles.RepositoryRoot, project).Replace('\\', '/')))
            {
                continue;
            }

            foreach (var reference in XDocument.Load(project).Descendants("ProjectReference"))
            {
                var include = reference.Attribute("Include")!.Value.Replace('\\', '/');
                pending.Push(Path.GetFullPath(Path.Combine(Path.GetDirectoryName(project)!, include)));
            }
        }

        return seen;
    }
}
