using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TaskFlow.Server.Tests.Infrastructure;
using TaskFlow.Testing;

namespace TaskFlow.Server.Tests.Mcp;

/// <summary>
/// Resources, resource templates, prompts and completions through the gateway: what
/// server-everything (from npm) offers directly, the gateway offers the same, and a fleet without
/// them announces no such capability.
/// </summary>
public sealed class McpGatewayCatalogTests
{
    [Fact]
    public async Task Http_ResourcesTemplatesPromptsAndCompletions_EqualTheServersOwn()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var root = Directory.CreateTempSubdirectory("taskflow-catalog-").FullName;
        try
        {
            var launch = McpTestServers.Everything();
            await using var direct = await McpClient.CreateAsync(
                new StdioClientTransport(new StdioClientTransportOptions { Command = launch.Command, Arguments = [.. launch.Arguments], WorkingDirectory = launch.WorkingDirectory }),
                cancellationToken: guard.Token);
            var settings = new Dictionary<string, string?>();
            McpTestServers.Configure(settings, "everything", launch);
            McpTestServers.Configure(settings, "memory", McpTestServers.Memory(Path.Combine(root, "graph.jsonl")));
            await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, settings);
            await using var client = await McpGatewayTests.ConnectAsync(app, "2025-11-25", guard.Token);

            Assert.NotNull(client.ServerCapabilities.Resources);
            Assert.NotNull(client.ServerCapabilities.Prompts);
            Assert.NotNull(client.ServerCapabilities.Completions);

            // Resources and templates: the same URIs, scheme and all (no two servers list one URI),
            // everything's and the knowledge-graph server's together.
            var resources = await client.ListResourcesAsync(cancellationToken: guard.Token);
            var directResources = await direct.ListResourcesAsync(cancellationToken: guard.Token);
            Assert.NotEmpty(directResources);
            Assert.Equal(
                directResources.Select(r => (r.Uri, r.Name, r.MimeType)).Append(("memory://knowledge-graph", "knowledge-graph", "application/json")).Order(),
                resources.Select(r => (r.Uri, r.Name, r.MimeType)).Order());
            var templates = await client.ListResourceTemplatesAsync(cancellationToken: guard.Token);
            var directTemplates = await direct.ListResourceTemplatesAsync(cancellationToken: guard.Token);
            Assert.NotEmpty(directTemplates);
            Assert.Equal(directTemplates.Select(t => t.UriTemplate).Order(), templates.Select(t => t.UriTemplate).Order());

            var first = directResources.First(r => r.MimeType == "text/markdown");
            var read = await client.ReadResourceAsync(first.Uri, cancellationToken: guard.Token);
            var readDirect = await direct.ReadResourceAsync(first.Uri, cancellationToken: guard.Token);
            Assert.Equal(Texts(readDirect), Texts(read));
            Assert.NotEmpty(Texts(read));

            // A URI made from a template goes to the server whose template it fits. (Its text says
            // when it was made, so the contents' URI and type are compared, and the text's start.)
            var template = directTemplates[0].UriTemplate;
            var made = template[..template.IndexOf('{')] + "1";
            var madeDirect = (await direct.ReadResourceAsync(made, cancellationToken: guard.Token)).Contents.OfType<TextResourceContents>().Single();
            var madeThrough = (await client.ReadResourceAsync(made, cancellationToken: guard.Token)).Contents.OfType<TextResourceContents>().Single();
            Assert.Equal((madeDirect.Uri, madeDirect.MimeType), (madeThrough.Uri, madeThrough.MimeType));
            Assert.Equal(madeDirect.Text.Split(' ')[0..2], madeThrough.Text.Split(' ')[0..2]);

            // Prompts: named as tools are, answered by their server.
            var prompts = await client.ListPromptsAsync(cancellationToken: guard.Token);
            var directPrompts = await direct.ListPromptsAsync(cancellationToken: guard.Token);
            Assert.Equal(directPrompts.Select(p => "everything__" + p.Name.Replace('.', '_')).Order(), prompts.Select(p => p.Name).Order());
            var simple = await client.GetPromptAsync("everything__simple-prompt", cancellationToken: guard.Token);
            var simpleDirect = await direct.GetPromptAsync("simple-prompt", cancellationToken: guard.Token);
            Assert.Equal(Messages(simpleDirect), Messages(simple));

            // Completions of a prompt's argument, routed to the prompt's server.
            var completed = await client.CompleteAsync(new PromptReference { Name = "everything__completable-prompt" }, "department", "S", cancellationToken: guard.Token);
            Assert.Equal(["Sales", "Support"], completed.Completion.Values);

            var missing = await Assert.ThrowsAsync<ModelContextProtocol.McpProtocolException>(() => client.ReadResourceAsync("nowhere://nothing", cancellationToken: guard.Token).AsTask());
            Assert.Contains("Resource 'nowhere://nothing' is not listed by any server of the fleet", missing.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public async Task Http_FleetWithoutResourcesOrPrompts_AnnouncesNeither()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var root = Directory.CreateTempSubdirectory("taskflow-catalog-").FullName;
        try
        {
            // memory-bank-mcp offers tools only.
            var settings = new Dictionary<string, string?>();
            McpTestServers.Configure(settings, "memory-bank", McpTestServers.MemoryBank(root));
            await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, settings);
            await using var client = await McpGatewayTests.ConnectAsync(app, "2025-11-25", guard.Token);

            Assert.NotNull(client.ServerCapabilities.Tools);
            Assert.Null(client.ServerCapabilities.Resources);
            Assert.Null(client.ServerCapabilities.Prompts);
            Assert.Null(client.ServerCapabilities.Completions);
            await Assert.ThrowsAsync<ModelContextProtocol.McpProtocolException>(() => client.ListPromptsAsync(cancellationToken: guard.Token).AsTask());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    private static List<string> Texts(ReadResourceResult result) => [.. result.Contents.OfType<TextResourceContents>().Select(c => $"{c.Uri}|{c.MimeType}|{c.Text}")];

    private static List<string> Messages(GetPromptResult result) => [.. result.Messages.Select(m => $"{m.Role}:{(m.Content as TextContentBlock)?.Text}")];
}
