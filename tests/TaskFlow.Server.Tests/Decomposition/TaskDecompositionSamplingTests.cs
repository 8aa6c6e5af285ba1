// Sampling is deprecated as of MCP revision 2026-07-28 (SEP-2577); these clients speak 2025-11-25,
// which still offers it, and that is what the decompose tool uses.
#pragma warning disable MCP9005

using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Decomposition;

/// <summary>
/// The task-decomposition MCP server's decompose tool asking the calling client's model for the
/// subtasks (MCP sampling), over Streamable HTTP with the official C# client. The model is the one
/// part that cannot run here: the client's sampling handler answers with a scripted text instead.
/// </summary>
public sealed class TaskDecompositionSamplingTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["TaskFlow:Workspaces:DefaultIsolation"] = "Process",
        ["TaskFlow:Workspaces:WarmPoolSize"] = "0",
    };

    private const string Release = """
        Release 2.0:
        1. Build the packages
        2. Run the test suite
        3. Publish the release notes
        """;

    private const string GoodAnswer = """
        ```json
        { "subtasks": [
          { "id": "build", "description": "Build the packages", "complexity": 10 },
          { "id": "test", "description": "Run the test suite", "dependencies": ["build"] },
          { "id": "notes", "description": "Write the release notes" },
          { "id": "publish", "description": "Publish the release", "dependencies": ["test", "notes"] }
        ] }
        ```
        """;

    [Fact]
    public async Task Decompose_WithASamplingClient_UsesTheModelsSubtasks_AndTheRequestCarriesTheSchema()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, Settings);
        var model = new ScriptedModel(GoodAnswer);
        await using var client = await ConnectAsync(app, model);

        var result = await DecomposeAsync(client, new Dictionary<string, object?> { ["task"] = new { id = "release", description = Release } });

        Assert.Equal("model", result["decomposer"]!.GetValue<string>());
        Assert.Null(result["fallbackReason"]);
        Assert.Equal(["build", "test", "notes", "publish"], result["subtasks"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()));
        var request = Assert.Single(model.Requests);
        var prompt = string.Concat(request.Messages.SelectMany(m => m.Content.OfType<TextContentBlock>()).Select(t => t.Text));
        Assert.Contains("Build the packages", prompt, StringComparison.Ordinal);
        Assert.Contains("\"https://json-schema.org/draft/2020-12/schema\"", prompt, StringComparison.Ordinal);
        Assert.Contains("\"maxItems\":50", prompt, StringComparison.Ordinal);
        Assert.Contains("\"$defs\":{\"subtask\"", prompt, StringComparison.Ordinal);
        Assert.Contains("\"dependencies\"", prompt, StringComparison.Ordinal);
        Assert.Contains("\"workflow\"", prompt, StringComparison.Ordinal);

        // Asked for the structural decomposer, the model is not asked at all.
        var structural = await DecomposeAsync(client, new Dictionary<string, object?> { ["task"] = new { id = "release", description = Release }, ["decomposer"] = "structural" });
        Assert.Equal("structural", structural["decomposer"]!.GetValue<string>());
        Assert.Null(structural["fallbackReason"]);
        Assert.Equal(["s1", "s2", "s3"], structural["subtasks"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()));
        Assert.Single(model.Requests);
    }

    public static TheoryData<string, string, string> BadAnswers()
    {
        var sixty = new JsonObject { ["subtasks"] = new JsonArray(Enumerable.Range(1, 60).Select(i => (JsonNode?)new JsonObject { ["id"] = $"t{i}" }).ToArray()) };
        return new()
        {
            { "invalid JSON", "Sure! Here are the subtasks: build, test, publish.", "The model's answer is not JSON" },
            { "60 subtasks", sixty.ToJsonString(), "60" },
            { "a cycle", """{ "subtasks": [ { "id": "a", "dependencies": ["b"] }, { "id": "b", "dependencies": ["a"] } ] }""", "cycle" },
            { "an unknown member", """{ "subtasks": [ { "id": "a", "owner": "ada" }, { "id": "b" } ] }""", "owner" },
            { "a complexity above the limit", """{ "subtasks": [ { "id": "a", "complexity": 101 }, { "id": "b" } ] }""", "101" },
            { "no subtasks array", """{ "steps": [ { "id": "a" }, { "id": "b" } ] }""", "only a 'subtasks' array" },
        };
    }

    [Theory]
    [MemberData(nameof(BadAnswers))]
    public async Task Decompose_WithABadModelAnswer_FallsBackToTheStructuralDecomposer_AndSaysWhy(string what, string answer, string reasonMentions)
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, Settings);
        var model = new ScriptedModel(answer);
        await using var client = await ConnectAsync(app, model);

        var result = await DecomposeAsync(client, new Dictionary<string, object?> { ["task"] = new { id = "release", description = Release }, ["decomposer"] = "model", ["save"] = true });

        Assert.Single(model.Requests);
        Assert.Equal("structural", result["decomposer"]!.GetValue<string>());
        var reason = result["fallbackReason"]!.GetValue<string>();
        Assert.True(reason.Contains(reasonMentions, StringComparison.OrdinalIgnoreCase), $"The reason for {what} should mention '{reasonMentions}': {reason}");
        Assert.Equal(["s1", "s2", "s3"], result["subtasks"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()));
        Assert.Equal("release", (await app.GetAsync<JsonObject>("/api/definitions/release"))["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Decompose_WithAClientThatCannotSample_GetsTheStructuralDecomposition_AndABadChoiceIsAToolError()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, Settings);
        await using var client = await ConnectAsync(app, model: null);

        var result = await DecomposeAsync(client, new Dictionary<string, object?> { ["task"] = new { id = "release", description = Release } });
        var wrong = await client.CallToolAsync("decompose", new Dictionary<string, object?> { ["task"] = new { description = Release }, ["decomposer"] = "oracle" });

        Assert.Equal("structural", result["decomposer"]!.GetValue<string>());
        Assert.Equal("The client did not declare the sampling capability.", result["fallbackReason"]!.GetValue<string>());
        Assert.Equal(["s1", "s2", "s3"], result["subtasks"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()));
        Assert.True(wrong.IsError);
        Assert.Equal("'decomposer' is \"oracle\"; it must be auto, model or structural.", ((TextContentBlock)wrong.Content[0]).Text);
    }

    [Fact]
    public async Task Decompose_WhenTheModelDoesNotAnswerInTime_OrTheClientRefuses_FallsBackAndSaysWhy()
    {
        await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, new Dictionary<string, string?>(Settings) { ["TaskFlow:Decomposition:SamplingTimeout"] = "00:00:01" });
        await using var silent = await ConnectAsync(app, async (_, _, cancellationToken) =>
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        });
        await using var refusing = await ConnectAsync(app, (_, _, _) => throw new InvalidOperationException("The user declined the sampling request."));

        var late = await DecomposeAsync(silent, new Dictionary<string, object?> { ["task"] = new { id = "release", description = Release } });
        var refused = await DecomposeAsync(refusing, new Dictionary<string, object?> { ["task"] = new { id = "release", description = Release } });

        Assert.Equal("structural", late["decomposer"]!.GetValue<string>());
        Assert.Equal("The client's model did not answer within 1 s (TaskFlow:Decomposition:SamplingTimeout).", late["fallbackReason"]!.GetValue<string>());
        Assert.Equal("structural", refused["decomposer"]!.GetValue<string>());
        Assert.StartsWith("The sampling request failed: ", refused["fallbackReason"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["s1", "s2", "s3"], refused["subtasks"]!.AsArray().Select(s => s!["id"]!.GetValue<string>()));
    }

    private static Task<McpClient> ConnectAsync(TaskFlowApp app, ScriptedModel? model) =>
        ConnectAsync(app, model is null ? null : model.AnswerAsync);

    private static async Task<McpClient> ConnectAsync(TaskFlowApp app, Func<CreateMessageRequestParams?, IProgress<ProgressNotificationValue>, CancellationToken, ValueTask<CreateMessageResult>>? sampling) =>
        await McpClient.CreateAsync(
            new HttpClientTransport(new HttpClientTransportOptions { Endpoint = new Uri(app.Client.BaseAddress!, "/mcp/task-decomposition"), TransportMode = HttpTransportMode.StreamableHttp }, app.Client),
            new McpClientOptions
            {
                ProtocolVersion = "2025-11-25",
                Handlers = new McpClientHandlers { SamplingHandler = sampling },
            });

    private static async Task<JsonObject> DecomposeAsync(McpClient client, Dictionary<string, object?> arguments)
    {
        var result = await client.CallToolAsync("decompose", arguments);
        Assert.True(result.IsError != true, string.Concat(result.Content.OfType<TextContentBlock>().Select(t => t.Text)));
        return JsonNode.Parse(result.StructuredContent!.Value.GetRawText())!.AsObject();
    }

    /// <summary>Stands in for the client's model: answers every sampling request with one text, and keeps the requests.</summary>
    private sealed class ScriptedModel(string answer)
    {
        private readonly List<CreateMessageRequestParams> _requests = [];

        public IReadOnlyList<CreateMessageRequestParams> Requests
        {
            get
            {
                lock (_requests)
                {
                    return [.. _requests];
                }
            }
        }

        public ValueTask<CreateMessageResult> AnswerAsync(CreateMessageRequestParams? request, IProgress<ProgressNotificationValue> progress, CancellationToken cancellationToken)
        {
            lock (_requests)
            {
                _requests.Add(request!);
            }

            return ValueTask.FromResult(new CreateMessageResult
            {
                Role = Role.Assistant,
                Model = "scripted",
                Content = [new TextContentBlock { Text = answer }],
            });
        }
    }
}
