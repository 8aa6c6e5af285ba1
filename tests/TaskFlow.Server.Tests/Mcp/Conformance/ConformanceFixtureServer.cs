// The fixture answers the conformance suite's logging, sampling and elicitation scenarios, which
// MCP deprecates as of revision 2026-07-28 (SEP-2577) and which the suite still exercises.
#pragma warning disable MCP9005

using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.AspNetCore;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace TaskFlow.Server.Tests.Mcp.Conformance;

/// <summary>
/// An MCP server, built on the official C# SDK, offering the fixtures the MCP conformance suite's
/// server scenarios call (the tools <c>test_simple_text</c>, <c>test_image_content</c>, ..., the
/// <c>test://</c> resources and template, the <c>test_*</c> prompts, completion, logging,
/// subscriptions), as the suite's specification of its reference server describes them. Served
/// over Streamable HTTP at <c>/mcp</c> on a free loopback port, so the suite can run against it
/// directly and through the gateway.
/// </summary>
internal sealed class ConformanceFixtureServer : IAsyncDisposable
{
    // A 1x1 red PNG and a minimal WAV, as the suite's scenarios expect some image and audio data.
    private const string Image = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
    private const string Audio = "UklGRiYAAABXQVZFZm10IBAAAAABAAEAQB8AAAB9AAACABAAZGF0YQIAAAA=";
    private const string Logger = "conformance-fixture";

    private readonly WebApplication _app;

    private ConformanceFixtureServer(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    /// <summary>The server's MCP endpoint.</summary>
    public Uri Address { get; }

    public static async Task<ConformanceFixtureServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddMcpServer(o =>
            {
                o.ServerInfo = new Implementation { Name = "conformance-fixture", Version = "1.0.0" };
                o.Capabilities = new ServerCapabilities
                {
                    Tools = new ToolsCapability { ListChanged = true },
                    Resources = new ResourcesCapability { Subscribe = true, ListChanged = true },
                    Prompts = new PromptsCapability { ListChanged = true },
                    Completions = new CompletionsCapability(),
                };
            })
            // Sessions for every client, as the suite's reference server keeps them: a server can
            // send requests to its client only within one (2026-07-28 clients are asked to use the
            // initialize handshake, and get one).
            .WithHttpTransport(o => o.SessionMode = HttpServerSessionMode.Stateful)
            .WithListToolsHandler((_, _) => ValueTask.FromResult(new ListToolsResult { Tools = Tools() }))
            .WithCallToolHandler((context, cancellationToken) => CallAsync(context.Server, context.Params!, cancellationToken))
            .WithListResourcesHandler((_, _) => ValueTask.FromResult(new ListResourcesResult
            {
                Resources =
                [
                    new Resource { Uri = "test://static-text", Name = "static-text", Title = "Static Text Resource", MimeType = "text/plain" },
                    new Resource { Uri = "test://static-binary", Name = "static-binary", Title = "Static Binary Resource", MimeType = "image/png" },
                    new Resource { Uri = "test://watched-resource", Name = "watched-resource", Title = "Watched Resource", MimeType = "text/plain" },
                ],
            }))
            .WithListResourceTemplatesHandler((_, _) => ValueTask.FromResult(new ListResourceTemplatesResult
            {
                ResourceTemplates = [new ResourceTemplate { UriTemplate = "test://template/{id}/data", Name = "template", Title = "Resource Template", MimeType = "application/json" }],
            }))
            .WithReadResourceHandler((context, _) => ValueTask.FromResult(Read(context.Params!.Uri)))
            .WithSubscribeToResourcesHandler(async (context, cancellationToken) =>
            {
                await LogAsync(context.Server, LoggingLevel.Info, $"Subscribed to resource: {context.Params!.Uri}", cancellationToken);
                return new EmptyResult();
            })
            .WithUnsubscribeFromResourcesHandler(async (context, cancellationToken) =>
            {
                await LogAsync(context.Server, LoggingLevel.Info, $"Unsubscribed from resource: {context.Params!.Uri}", cancellationToken);
                return new EmptyResult();
            })
            .WithListPromptsHandler((_, _) => ValueTask.FromResult(new ListPromptsResult
            {
                Prompts =
                [
                    new Prompt { Name = "test_simple_prompt", Title = "Simple Test Prompt", Description = "A simple prompt without arguments" },
                    new Prompt
                    {
                        Name = "test_prompt_with_arguments", Title = "Prompt With Arguments", Description = "A prompt with required arguments",
                        Arguments = [new PromptArgument { Name = "arg1", Description = "First test argument", Required = true }, new PromptArgument { Name = "arg2", Description = "Second test argument", Required = true }],
                    },
                    new Prompt
                    {
                        Name = "test_prompt_with_embedded_resource", Title = "Prompt With Embedded Resource", Description = "A prompt that includes an embedded resource",
                        Arguments = [new PromptArgument { Name = "resourceUri", Description = "URI of the resource to embed", Required = true }],
                    },
                    new Prompt { Name = "test_prompt_with_image", Title = "Prompt With Image", Description = "A prompt that includes image content" },
                ],
            }))
            .WithGetPromptHandler((context, _) => ValueTask.FromResult(Prompt(context.Params!)))
            .WithCompleteHandler((_, _) => ValueTask.FromResult(new CompleteResult { Completion = new Completion { Values = [], Total = 0, HasMore = false } }))
            .WithSetLoggingLevelHandler(async (context, cancellationToken) =>
            {
                await LogAsync(context.Server, LoggingLevel.Info, $"Log level set to: {context.Params!.Level.ToString().ToLowerInvariant()}", cancellationToken);
                return new EmptyResult();
            });
        var app = builder.Build();
        app.MapMcp("/mcp");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ConformanceFixtureServer(app, new Uri(new Uri(address), "/mcp"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static List<Tool> Tools()
    {
        static Tool Make(string name, string description, string schema = """{"type":"object","properties":{}}""") =>
            new() { Name = name, Description = description, InputSchema = JsonDocument.Parse(schema).RootElement.Clone() };

        return
        [
            Make("test_simple_text", "Tests simple text content response"),
            Make("test_image_content", "Tests image content response"),
            Make("test_audio_content", "Tests audio content response"),
            Make("test_embedded_resource", "Tests embedded resource content response"),
            Make("test_multiple_content_types", "Tests response with multiple content types (text, image, resource)"),
            Make("test_tool_with_logging", "Tests tool that emits log messages during execution"),
            Make("test_tool_with_progress", "Tests tool that reports progress notifications"),
            Make("test_error_handling", "Tests error response handling"),
            Make("test_sampling", "Tests server-initiated sampling (LLM completion request)", """{"type":"object","properties":{"prompt":{"type":"string","description":"The prompt to send to the LLM"}},"required":["prompt"]}"""),
            Make("test_elicitation", "Tests server-initiated elicitation (user input request)", """{"type":"object","properties":{"message":{"type":"string","description":"The message to show the user"}},"required":["message"]}"""),
            Make("test_elicitation_sep1034_defaults", "Tests elicitation with default values per SEP-1034"),
            Make("test_elicitation_sep1330_enums", "Tests elicitation with enum schema improvements per SEP-1330"),
            Make("json_schema_2020_12_tool", "Tool with JSON Schema 2020-12 features for conformance testing (SEP-1613)", """
                {"$schema":"https://json-schema.org/draft/2020-12/schema","type":"object",
                 "$defs":{"address":{"type":"object","properties":{"street":{"type":"string"},"city":{"type":"string"}}}},
                 "properties":{"name":{"type":"string"},"address":{"$ref":"#/$defs/address"}},"additionalProperties":false}
                """),
        ];
    }

    private static async ValueTask<CallToolResult> CallAsync(McpServer server, CallToolRequestParams request, CancellationToken cancellationToken)
    {
        static CallToolResult Text(string text) => new() { Content = [new TextContentBlock { Text = text }] };

        switch (request.Name)
        {
            case "test_simple_text":
                return Text("This is a simple text response for testing.");
            case "test_image_content":
                return new CallToolResult { Content = [ImageContentBlock.FromBytes(Convert.FromBase64String(Image), "image/png")] };
            case "test_audio_content":
                return new CallToolResult { Content = [AudioContentBlock.FromBytes(Convert.FromBase64String(Audio), "audio/wav")] };
            case "test_embedded_resource":
                return new CallToolResult { Content = [new EmbeddedResourceBlock { Resource = new TextResourceContents { Uri = "test://embedded-resource", MimeType = "text/plain", Text = "This is an embedded resource content." } }] };
            case "test_multiple_content_types":
                return new CallToolResult
                {
                    Content =
                    [
                        new TextContentBlock { Text = "Multiple content types test:" },
                        ImageContentBlock.FromBytes(Convert.FromBase64String(Image), "image/png"),
                        new EmbeddedResourceBlock { Resource = new TextResourceContents { Uri = "test://mixed-content-resource", MimeType = "application/json", Text = """{"test":"data","value":123}""" } },
                    ],
                };
            case "test_tool_with_logging":
                foreach (var step in new[] { "Tool execution started", "Tool processing data", "Tool execution completed" })
                {
                    await LogAsync(server, LoggingLevel.Info, step, cancellationToken);
                    await Task.Delay(50, cancellationToken);
                }

                return Text("Tool with logging executed successfully");
            case "test_tool_with_progress":
                foreach (var progress in new[] { 0, 50, 100 })
                {
                    if (request.ProgressToken is { } token)
                    {
                        await server.NotifyProgressAsync(token, new ProgressNotificationValue { Progress = progress, Total = 100, Message = $"Completed step {progress} of 100" }, cancellationToken: cancellationToken);
                    }

                    await Task.Delay(50, cancellationToken);
                }

                return Text(request.ProgressToken?.ToString() ?? "0");
            case "test_error_handling":
                return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = "This tool intentionally returns an error for testing" }] };
            case "test_sampling":
            {
                var prompt = request.Arguments?.TryGetValue("prompt", out var p) == true ? p.GetString() : "";
                var answer = await AskAsync(server, RequestMethods.SamplingCreateMessage, new JsonObject
                {
                    ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = new JsonObject { ["type"] = "text", ["text"] = prompt } }),
                    ["maxTokens"] = 100,
                }, cancellationToken);
                if (answer?["action"]?.GetValue<string>() == "error")
                {
                    return Text($"Sampling not supported or error: {answer["content"]?["error"]}");
                }

                var text = answer?["content"]?["text"]?.GetValue<string>() ?? "No response";
                return Text($"LLM response: {text}");
            }

            case "test_elicitation":
            {
                var message = request.Arguments?.TryGetValue("message", out var m) == true ? m.GetString() : "";
                var answer = await AskAsync(server, RequestMethods.ElicitationCreate, new JsonObject
                {
                    ["message"] = message,
                    ["requestedSchema"] = JsonNode.Parse("""{"type":"object","properties":{"response":{"type":"string","description":"User's response"}},"required":["response"]}"""),
                }, cancellationToken);
                return Text($"User response: action={answer?["action"]}, content={answer?["content"]?.ToJsonString() ?? "{}"}");
            }

            case "test_elicitation_sep1034_defaults":
            {
                var answer = await AskAsync(server, RequestMethods.ElicitationCreate, new JsonObject
                {
                    ["message"] = "Please review and update the form fields with defaults",
                    ["requestedSchema"] = JsonNode.Parse("""
                        {"type":"object","properties":{
                          "name":{"type":"string","description":"User name","default":"John Doe"},
                          "age":{"type":"integer","description":"User age","default":30},
                          "score":{"type":"number","description":"User score","default":95.5},
                          "status":{"type":"string","description":"User status","enum":["active","inactive","pending"],"default":"active"},
                          "verified":{"type":"boolean","description":"Verification status","default":true}},
                         "required":[]}
                        """),
                }, cancellationToken);
                return Text($"Elicitation completed: action={answer?["action"]}, content={answer?["content"]?.ToJsonString() ?? "{}"}");
            }

            case "test_elicitation_sep1330_enums":
            {
                var answer = await AskAsync(server, RequestMethods.ElicitationCreate, new JsonObject
                {
                    ["message"] = "Please select options from the enum fields",
                    ["requestedSchema"] = JsonNode.Parse("""
                        {"type":"object","properties":{
                          "untitledSingle":{"type":"string","description":"Select one option","enum":["option1","option2","option3"]},
                          "titledSingle":{"type":"string","description":"Select one option with titles","oneOf":[{"const":"value1","title":"First Option"},{"const":"value2","title":"Second Option"},{"const":"value3","title":"Third Option"}]},
                          "legacyEnum":{"type":"string","description":"Select one option (legacy)","enum":["opt1","opt2","opt3"],"enumNames":["Option One","Option Two","Option Three"]},
                          "untitledMulti":{"type":"array","description":"Select multiple options","minItems":1,"maxItems":3,"items":{"type":"string","enum":["option1","option2","option3"]}},
                          "titledMulti":{"type":"array","description":"Select multiple options with titles","minItems":1,"maxItems":3,"items":{"anyOf":[{"const":"value1","title":"First Choice"},{"const":"value2","title":"Second Choice"},{"const":"value3","title":"Third Choice"}]}}},
                         "required":[]}
                        """),
                }, cancellationToken);
                return Text($"Elicitation completed: action={answer?["action"]}, content={answer?["content"]?.ToJsonString() ?? "{}"}");
            }

            case "json_schema_2020_12_tool":
                return Text($"JSON Schema 2020-12 tool called with: {JsonSerializer.Serialize(request.Arguments ?? new Dictionary<string, JsonElement>())}");
            default:
                throw new McpProtocolException($"Unknown tool '{request.Name}'.", McpErrorCode.InvalidParams);
        }
    }

    /// <summary>Sends the client a request as the suite's specification words it; a refusal (the client's error, or no session to ask in) becomes the tool's text, as in the suite's reference server.</summary>
    private static async Task<JsonNode?> AskAsync(McpServer server, string method, JsonObject parameters, CancellationToken cancellationToken)
    {
        try
        {
            var response = await server.SendRequestAsync(new JsonRpcRequest { Method = method, Params = parameters }, cancellationToken);
            return response.Result;
        }
        catch (Exception ex) when (ex is McpException or InvalidOperationException)
        {
            return new JsonObject { ["action"] = "error", ["content"] = new JsonObject { ["error"] = ex.Message } };
        }
    }

    private static ReadResourceResult Read(string uri)
    {
        TextResourceContents Text(string mimeType, string text) => new() { Uri = uri, MimeType = mimeType, Text = text };
        return uri switch
        {
            "test://static-text" => new ReadResourceResult { Contents = [Text("text/plain", "This is the content of the static text resource.")] },
            "test://static-binary" => new ReadResourceResult { Contents = [BlobResourceContents.FromBytes(Convert.FromBase64String(Image), uri, "image/png")] },
            "test://watched-resource" => new ReadResourceResult { Contents = [Text("text/plain", "Watched resource content")] },
            _ when uri.StartsWith("test://template/", StringComparison.Ordinal) && uri.EndsWith("/data", StringComparison.Ordinal) =>
                new ReadResourceResult
                {
                    Contents = [Text("application/json", new JsonObject { ["id"] = uri["test://template/".Length..^"/data".Length], ["templateTest"] = true, ["data"] = $"Data for ID: {uri["test://template/".Length..^"/data".Length]}" }.ToJsonString())],
                },
            _ => throw new McpProtocolException($"Resource '{uri}' not found.", McpErrorCode.ResourceNotFound),
        };
    }

    private static GetPromptResult Prompt(GetPromptRequestParams request)
    {
        string Argument(string name) => request.Arguments?.TryGetValue(name, out var value) == true ? value.GetString() ?? "" : "";
        static PromptMessage User(ContentBlock content) => new() { Role = Role.User, Content = content };
        return request.Name switch
        {
            "test_simple_prompt" => new GetPromptResult { Messages = [User(new TextContentBlock { Text = "This is a simple prompt for testing." })] },
            "test_prompt_with_arguments" => new GetPromptResult { Messages = [User(new TextContentBlock { Text = $"Prompt with arguments: arg1='{Argument("arg1")}', arg2='{Argument("arg2")}'" })] },
            "test_prompt_with_embedded_resource" => new GetPromptResult
            {
                Messages =
                [
                    User(new EmbeddedResourceBlock { Resource = new TextResourceContents { Uri = Argument("resourceUri"), MimeType = "text/plain", Text = "Embedded resource content for testing." } }),
                    User(new TextContentBlock { Text = "Please process the embedded resource above." }),
                ],
            },
            "test_prompt_with_image" => new GetPromptResult
            {
                Messages = [User(ImageContentBlock.FromBytes(Convert.FromBase64String(Image), "image/png")), User(new TextContentBlock { Text = "Please analyze the image above." })],
            },
            _ => throw new McpProtocolException($"Unknown prompt '{request.Name}'.", McpErrorCode.InvalidParams),
        };
    }

    private static Task LogAsync(McpServer server, LoggingLevel level, string data, CancellationToken cancellationToken) =>
        server.SendNotificationAsync(
            NotificationMethods.LoggingMessageNotification,
            new LoggingMessageNotificationParams { Level = level, Logger = Logger, Data = JsonSerializer.SerializeToElement(data) },
            McpJsonUtilities.DefaultOptions,
            cancellationToken);
}
