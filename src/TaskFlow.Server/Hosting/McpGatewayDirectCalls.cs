using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using TaskFlow.Routing.Gateway;

namespace TaskFlow.Server.Hosting;

/// <summary>
/// Answers the gateway's commonest request without the SDK's per-request server: a stateless
/// (2026-07-28) <c>tools/call</c> that asks for no progress. It goes to the same
/// <see cref="McpGateway"/> the SDK's handler calls, and its answer is one JSON-RPC message as
/// <c>application/json</c>, which Streamable HTTP lets a server send instead of an SSE stream.
/// </summary>
/// <remarks>
/// Every other request (a session's, one with a progress token or any other <c>_meta</c>, a
/// notification, a batch, any other method or revision, headers that do not match the body,
/// anything malformed) reaches the SDK's transport untouched, so the SDK still decides what is
/// valid and how to say it is not. The SDK builds a server object, a session handler and an SSE
/// stream for each stateless request: about 40 KB and most of the gateway's own CPU per call
/// (see bench/RESULTS.md), for a request that needs none of them.
/// </remarks>
public static class McpGatewayDirectCalls
{
    private const string StatelessRevision = "2026-07-28";
    private const string ProtocolVersionMeta = "io.modelcontextprotocol/protocolVersion";
    private const string ClientCapabilitiesMeta = "io.modelcontextprotocol/clientCapabilities";
    private const string ClientInfoMeta = "io.modelcontextprotocol/clientInfo";

    /// <summary>Serves direct calls on <paramref name="path"/>; add after authentication and authorization, so a call needs what the endpoint needs.</summary>
    public static IApplicationBuilder UseMcpGatewayDirectCalls(this IApplicationBuilder app, PathString path)
    {
        // Who answers, as every 2026-07-28 result names it: the gateway's server info, serialized once.
        var serverInfo = app.ApplicationServices.GetRequiredService<IOptions<McpServerOptions>>().Value.ServerInfo is { } info
            ? JsonSerializer.SerializeToNode(info, McpJsonUtilities.DefaultOptions)
            : null;
        return app.Use(async (context, next) =>
        {
            if (!IsCandidate(context.Request, path) || await ReadCallAsync(context) is not { } call)
            {
                await next(context);
                return;
            }

            await AnswerAsync(context, call.Id, call.Params, serverInfo);
        });
    }

    /// <summary>
    /// What the headers alone can tell: a POST of JSON on the 2026-07-28 revision, outside any
    /// session, naming the method <c>tools/call</c>, from a client that takes a JSON answer.
    /// </summary>
    private static bool IsCandidate(HttpRequest request, PathString path) =>
        HttpMethods.IsPost(request.Method)
        && request.Path.Equals(path, StringComparison.Ordinal)
        && request.Headers["MCP-Protocol-Version"] is [StatelessRevision]
        && request.Headers["Mcp-Method"] is [RequestMethods.ToolsCall]
        && request.Headers["Mcp-Name"].Count == 1
        && !request.Headers.ContainsKey("Mcp-Session-Id")
        && request.ContentType is { } type && type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
        && request.Headers.Accept.ToString() is var accept
        && accept.Contains("application/json", StringComparison.OrdinalIgnoreCase)
        && accept.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Reads the body; returns the call when it is one this path answers. Otherwise the body is
    /// put back for the SDK to read as if nothing had looked at it.
    /// </summary>
    private static async Task<(RequestId Id, CallToolRequestParams Params)?> ReadCallAsync(HttpContext context)
    {
        var reader = context.Request.BodyReader;
        ReadResult read;
        while (true)
        {
            read = await reader.ReadAsync(context.RequestAborted);
            if (read.IsCompleted || read.IsCanceled)
            {
                break;
            }

            // Leave everything unconsumed until the whole body is in.
            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }

        var body = read.Buffer.ToArray();
        reader.AdvanceTo(read.Buffer.End);
        var call = Parse(body, context.Request.Headers["Mcp-Name"].ToString());
        if (call is null)
        {
            context.Request.Body = new MemoryStream(body, writable: false);
        }

        return call;
    }

    /// <summary>
    /// The call, when the body is exactly what the headers said: one JSON-RPC 2.0 <c>tools/call</c>
    /// request whose <c>_meta</c> holds the revision (the header's), the client's capabilities, maybe
    /// its name, and nothing else (no progress token), and whose tool is the <c>Mcp-Name</c>
    /// header's as it stands. Anything else, valid or not, is the SDK's to answer. Read with a
    /// pooled document rather than the SDK's message tree: this runs on every direct call.
    /// </summary>
    private static (RequestId Id, CallToolRequestParams Params)? Parse(byte[] body, string nameHeader)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || !version.ValueEquals("2.0")
                || !root.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.String || !method.ValueEquals(RequestMethods.ToolsCall)
                || !root.TryGetProperty("id", out var id) || id.ValueKind is not (JsonValueKind.String or JsonValueKind.Number)
                || !root.TryGetProperty("params", out var parameters) || parameters.ValueKind != JsonValueKind.Object
                || !parameters.TryGetProperty("_meta", out var meta) || !IsPlainMeta(meta)
                || parameters.Deserialize<CallToolRequestParams>(McpJsonUtilities.DefaultOptions) is not { Name.Length: > 0 } call
                || !string.Equals(call.Name, nameHeader, StringComparison.Ordinal))
            {
                return null;
            }

            return (id.Deserialize<RequestId>(McpJsonUtilities.DefaultOptions), call);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or NotSupportedException)
        {
            // Not something this path understands; the SDK answers it, with its own error.
            return null;
        }
    }

    private static bool IsPlainMeta(JsonElement meta)
    {
        if (meta.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        bool version = false, capabilities = false;
        foreach (var property in meta.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case ProtocolVersionMeta when value.ValueKind == JsonValueKind.String && value.ValueEquals(StatelessRevision):
                    version = true;
                    break;
                case ClientCapabilitiesMeta when value.ValueKind == JsonValueKind.Object:
                    capabilities = true;
                    break;
                case ClientInfoMeta when value.ValueKind == JsonValueKind.Object
                    && value.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String
                    && value.TryGetProperty("version", out var clientVersion) && clientVersion.ValueKind == JsonValueKind.String:
                    break;
                default:
                    return false;
            }
        }

        return version && capabilities;
    }

    private static async Task AnswerAsync(HttpContext context, RequestId id, CallToolRequestParams call, JsonNode? serverInfo)
    {
        var gateway = context.RequestServices.GetRequiredService<McpGateway>();
        CallToolResult? result = null;
        JsonRpcErrorDetail? error = null;
        try
        {
            result = await gateway.CallToolAsync(call.Name, call.Arguments, progress: null, session: null, context.RequestAborted);

            // What the SDK adds to every 2026-07-28 result: its kind, and who answered.
            result.ResultType ??= "complete";
            if (serverInfo is not null)
            {
                // A node has one parent: each result gets its own copy.
                (result.Meta ??= [])[MetaKeys.ServerInfo] = serverInfo.DeepClone();
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            // As the SDK answers a handler's exception.
            error = ex switch
            {
                McpProtocolException protocol => new JsonRpcErrorDetail { Code = (int)protocol.ErrorCode, Message = protocol.Message },
                McpException mcp => new JsonRpcErrorDetail { Code = (int)McpErrorCode.InternalError, Message = mcp.Message },
                _ => new JsonRpcErrorDetail { Code = (int)McpErrorCode.InternalError, Message = "An error occurred." },
            };
            if (ex is not McpProtocolException)
            {
                context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(McpGatewayDirectCalls)).LogWarning(ex, "MCP gateway: tools/call {Tool} failed", call.Name);
            }
        }

        // One write with its length: no chunked framing for a message this small.
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("jsonrpc", "2.0");
            writer.WritePropertyName("id");
            JsonSerializer.Serialize(writer, id, McpJsonUtilities.DefaultOptions);
            if (error is null)
            {
                writer.WritePropertyName("result");
                JsonSerializer.Serialize(writer, result, McpJsonUtilities.DefaultOptions);
            }
            else
            {
                writer.WritePropertyName("error");
                JsonSerializer.Serialize(writer, error, McpJsonUtilities.DefaultOptions);
            }

            writer.WriteEndObject();
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        context.Response.Headers.CacheControl = "no-cache";
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }
}
