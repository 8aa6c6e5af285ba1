using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;
using TaskFlow.Chaos.Harness;

namespace TaskFlow.Chaos.Fuzz;

/// <summary>
/// The tools of TaskFlow's own MCP servers (task-decomposition, workspace-isolation and the
/// gateway, over Streamable HTTP on a real <c>taskflow serve</c>) called with fuzzed arguments:
/// the arguments each tool's input schema names with random values, those of a known good call
/// mutated, random JSON, and none at all. A call must answer with a result (an error result must
/// say what is wrong) or with a JSON-RPC error that says what is wrong; an internal error (-32603),
/// a failed request, or a server that no longer answers is a failure.
/// </summary>
public static class McpToolFuzzer
{
    private const string Key = "chaos-mcp-fuzz-key-0123456789abcdef";

    /// <summary>A good call per tool where one is cheap, to mutate.</summary>
    private static readonly Dictionary<string, string> Good = new(StringComparer.Ordinal)
    {
        ["decompose"] = """{"task":{"description":"1. fetch the data 2. clean it 3. write the report"},"strategy":"sequential"}""",
        ["aggregate"] = """{"results":[{"id":"a","status":"succeeded","output":1},{"id":"b","status":"failed","error":"x"}],"mode":"parallel"}""",
        ["validate_workflow"] = """{"definition":{"id":"w","nodes":[{"id":"a","type":"noop"}],"edges":[]}}""",
    };

    public static async Task<FuzzFigures> RunAsync(int cases, int seed)
    {
        var random = new Random(seed);
        var mutator = new JsonMutator(random);
        var figures = new FuzzFigures("fuzz-mcp-tools", seed);
        // The fuzzer creates workspaces and seldom destroys one: with all slots taken, a new one is
        // refused at once (FailFast) rather than queued for QueueTimeout (5 min), which would be the
        // default's correct but slow answer.
        await using var server = await ServerProcess.StartAsync(Key, new Dictionary<string, string>
        {
            ["TaskFlow__Workspaces__DefaultIsolation"] = "Process",
            ["TaskFlow__Workspaces__WarmPoolSize"] = "0",
            ["TaskFlow__Workspaces__WhenFull"] = "FailFast",
        });
        var clients = new List<(string Endpoint, McpClient Client, IList<McpClientTool> Tools)>();
        foreach (var endpoint in new[] { "/mcp/task-decomposition", "/mcp/workspace-isolation", "/mcp" })
        {
            var transport = new HttpClientTransport(new HttpClientTransportOptions
            {
                Endpoint = new Uri(server.Url + endpoint),
                TransportMode = HttpTransportMode.StreamableHttp,
                AdditionalHeaders = new Dictionary<string, string> { ["X-Api-Key"] = Key },
            });
            var client = await McpClient.CreateAsync(transport);
            clients.Add((endpoint, client, await client.ListToolsAsync()));
        }

        var clock = Stopwatch.StartNew();
        var internalErrors = 0;
        try
        {
            var all = clients.SelectMany(c => c.Tools.Select(t => (c.Endpoint, c.Client, Tool: t))).ToList();
            figures.Notes["tools"] = all.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
            for (var i = 0; i < cases; i++)
            {
                var (endpoint, client, tool) = all[random.Next(all.Count)];
                var arguments = Arguments(tool, random, mutator);
                var shown = $"{endpoint} {tool.Name} {arguments?.ToJsonString() ?? "(none)"}";
                figures.Cases++;
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
                try
                {
                    var result = await client.CallToolAsync(
                        tool.Name,
                        arguments?.ToDictionary(p => p.Key, p => (object?)p.Value?.DeepClone()),
                        cancellationToken: timeout.Token);
                    if (result.IsError == true)
                    {
                        figures.Rejected++;
                        if (!result.Content.OfType<TextContentBlock>().Any(t => !string.IsNullOrWhiteSpace(t.Text)))
                        {
                            figures.Fail("an error result without a message", shown);
                        }
                    }
                    else
                    {
                        figures.Accepted++;
                    }
                }
                catch (McpProtocolException ex) when (ex.ErrorCode != McpErrorCode.InternalError)
                {
                    figures.Rejected++;
                    if (string.IsNullOrWhiteSpace(ex.Message))
                    {
                        figures.Fail($"JSON-RPC error {(int)ex.ErrorCode} without a message", shown);
                    }
                }
                catch (McpProtocolException ex)
                {
                    internalErrors++;
                    figures.Fail($"internal error: {ex.Message}", shown);
                }
                catch (Exception ex)
                {
                    figures.Fail($"{ex.GetType().Name}: {ex.Message}", shown);
                }
            }

            // Still answering after all of it (a listing: the 2026-07-28 revision has no ping).
            foreach (var (endpoint, client, _) in clients)
            {
                try
                {
                    await client.ListToolsAsync();
                }
                catch (Exception ex)
                {
                    figures.Fail($"{endpoint} no longer answers: {ex.Message}", "(after the run)");
                }
            }
        }
        finally
        {
            foreach (var (_, client, _) in clients)
            {
                await client.DisposeAsync();
            }
        }

        figures.Elapsed = clock.Elapsed;
        figures.Notes["internal errors"] = internalErrors.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return figures;
    }

    /// <summary>A mutated call as an object; text the mutation broke becomes an empty object (MCP arguments are always an object on the wire).</summary>
    private static JsonObject ParseObject(string text)
    {
        try
        {
            return JsonNode.Parse(text) as JsonObject ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static JsonObject? Arguments(McpClientTool tool, Random random, JsonMutator mutator)
    {
        switch (random.Next(10))
        {
            case 0:
                return null;
            case 1:
                return mutator.RandomValue(4) as JsonObject ?? [];
            case 2 or 3 when Good.TryGetValue(tool.Name, out var good):
                return ParseObject(mutator.Mutate(good));
            default:
                // The schema's own argument names, each with a random value, some left out.
                var arguments = new JsonObject();
                if (tool.JsonSchema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
                {
                    foreach (var property in properties.EnumerateObject())
                    {
                        if (random.Next(4) > 0)
                        {
                            arguments[property.Name] = mutator.RandomValue(3);
                        }
                    }
                }

                return arguments;
        }
    }
}
