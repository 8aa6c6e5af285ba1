using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ModelContextProtocol.Protocol;

namespace TaskFlow.Workspaces.Mcp;

/// <summary>
/// The workspace-isolation MCP server's tools (the reference report's workspace-isolation-mcp):
/// <c>create_workspace</c>, <c>exec</c>, <c>write_file</c>, <c>read_file</c>, <c>list_files</c>,
/// <c>destroy_workspace</c> and <c>list_workspaces</c>, over the <see cref="WorkspaceManager"/>.
/// Transport-agnostic: the server serves them at <c>/mcp/workspace-isolation</c>, and
/// <c>taskflow mcp workspace-isolation</c> over stdio. Bad arguments and failed commands come
/// back as tool errors (<c>isError</c>) whose text says what is wrong.
/// </summary>
public sealed class WorkspaceIsolationTools(WorkspaceManager workspaces)
{
    public const string ServerName = "workspace-isolation";

    private static readonly JsonSerializerOptions Json = WorkspaceRecord.Json;

    public static IReadOnlyList<Tool> Tools { get; } =
    [
        Define("create_workspace", "Creates an isolated workspace: a container, a sandboxed process or a VM, with limits. Returns its id.", """
            {"type":"object","properties":{
              "isolation_mode":{"type":"string","enum":["auto","process","container","vm"],"description":"How the workspace is isolated (auto: a container when the engine answers, else a sandboxed process); the server's default when omitted."},
              "image":{"type":"string","description":"Container image (container and vm modes)."},
              "limits":{"type":"object","properties":{
                "memory":{"type":"string","description":"e.g. 512m, 2g"},
                "cpus":{"type":"number"},
                "pids":{"type":"integer"},
                "disk":{"type":"string","description":"Disk quota, e.g. 100m, 10g"},
                "network":{"type":"boolean"}}},
              "timeout_seconds":{"type":"integer","minimum":1,"description":"Life of the workspace; the server's workspace_timeout when omitted."},
              "cleanup_mode":{"type":"string","enum":["immediate","lazy","scheduled"],"description":"What destroy_workspace does by default."}}}
            """),
        Define("exec", "Runs a command in a workspace (working directory /workspace). Returns exit code, stdout and stderr.", """
            {"type":"object","required":["workspace_id"],"properties":{
              "workspace_id":{"type":"string"},
              "command":{"type":"array","items":{"type":"string"},"description":"The program and its arguments (no shell)."},
              "script":{"type":"string","description":"A shell script run with sh -c; instead of command."},
              "env":{"type":"object","additionalProperties":{"type":"string"}},
              "stdin":{"type":"string"},
              "timeout_seconds":{"type":"integer","minimum":1},
              "max_output_bytes":{"type":"integer","minimum":1}}}
            """),
        Define("write_file", "Writes a file in a workspace (folders are created). Paths are relative to the workspace.", """
            {"type":"object","required":["workspace_id","path","content"],"properties":{
              "workspace_id":{"type":"string"},
              "path":{"type":"string"},
              "content":{"type":"string"},
              "encoding":{"type":"string","enum":["utf8","base64"],"description":"How content is encoded; utf8 when omitted."}}}
            """),
        Define("read_file", "Reads a file of a workspace.", """
            {"type":"object","required":["workspace_id","path"],"properties":{
              "workspace_id":{"type":"string"},
              "path":{"type":"string"},
              "max_bytes":{"type":"integer","minimum":1,"description":"At most this much is returned (1 MiB when omitted)."}}}
            """),
        Define("list_files", "Lists the files and folders of a workspace folder.", """
            {"type":"object","required":["workspace_id"],"properties":{
              "workspace_id":{"type":"string"},
              "path":{"type":"string","description":"A folder of the workspace; its top when omitted."},
              "recursive":{"type":"boolean"}}}
            """),
        Define("destroy_workspace", "Destroys a workspace: its sandbox at once, its files per the cleanup mode.", """
            {"type":"object","required":["workspace_id"],"properties":{
              "workspace_id":{"type":"string"},
              "cleanup_mode":{"type":"string","enum":["immediate","lazy","scheduled"]}}}
            """),
        Define("list_workspaces", "Lists the workspaces with their limits, disk use, owner and expiry.", """
            {"type":"object","properties":{}}
            """),
    ];

    public ListToolsResult ListTools() => new() { Tools = [.. Tools] };

    /// <summary>Runs one tool. Unknown tools are a protocol error; everything else the caller did wrong is a tool error.</summary>
    public async Task<CallToolResult> CallAsync(string name, IDictionary<string, JsonElement>? arguments, CancellationToken cancellationToken)
    {
        var args = new Arguments(arguments);
        try
        {
            return name switch
            {
                "create_workspace" => await CreateAsync(args, cancellationToken),
                "exec" => await ExecAsync(args, cancellationToken),
                "write_file" => await WriteAsync(args, cancellationToken),
                "read_file" => await ReadAsync(args, cancellationToken),
                "list_files" => Ok(new JsonObject { ["files"] = JsonSerializer.SerializeToNode(workspaces.ListFiles(args.Required("workspace_id"), args.Text("path"), args.Bool("recursive") ?? false), Json) }),
                "destroy_workspace" => await DestroyAsync(args, cancellationToken),
                "list_workspaces" => await ListAsync(cancellationToken),
                _ => throw new ModelContextProtocol.McpProtocolException($"Unknown tool '{name}'; this server has {string.Join(", ", Tools.Select(t => t.Name))}.", ModelContextProtocol.McpErrorCode.InvalidParams),
            };
        }
        catch (ArgumentException ex)
        {
            return Error(ex.Message);
        }
        catch (WorkspaceException ex)
        {
            return Error(ex.Message);
        }
    }

    private async Task<CallToolResult> CreateAsync(Arguments args, CancellationToken cancellationToken)
    {
        var isolation = args.Enum<IsolationMode>("isolation_mode");
        var cleanup = args.Enum<CleanupMode>("cleanup_mode");
        WorkspaceLimits? limits = null;
        if (args.Object("limits") is { } wanted)
        {
            var configured = workspaces.DefaultLimits;
            limits = new WorkspaceLimits
            {
                MemoryBytes = Size(wanted, "memory") ?? configured.MemoryBytes,
                DiskBytes = Size(wanted, "disk") ?? configured.DiskBytes,
                Cpus = wanted.TryGetProperty("cpus", out var cpus) && cpus.ValueKind == JsonValueKind.Number ? cpus.GetDouble() : configured.Cpus,
                Pids = wanted.TryGetProperty("pids", out var pids) && pids.ValueKind == JsonValueKind.Number ? pids.GetInt32() : configured.Pids,
                Network = wanted.TryGetProperty("network", out var network) && network.ValueKind == JsonValueKind.True,
            };
        }

        var seconds = args.Int("timeout_seconds");
        var record = await workspaces.CreateAsync(new WorkspaceRequest(isolation, args.Text("image"), limits, Timeout: seconds is { } s ? TimeSpan.FromSeconds(s) : null, Cleanup: cleanup), cancellationToken);
        return Ok(new JsonObject
        {
            ["workspace_id"] = record.Id,
            ["isolation_mode"] = record.Isolation.ToString().ToLowerInvariant(),
            ["limits"] = JsonSerializer.SerializeToNode(record.Limits, Json),
            ["expires_at"] = record.ExpiresAt,
            ["cleanup_mode"] = record.Cleanup.ToString().ToLowerInvariant(),
        });
    }

    private async Task<CallToolResult> ExecAsync(Arguments args, CancellationToken cancellationToken)
    {
        var id = args.Required("workspace_id");
        IReadOnlyList<string> command = args.Strings("command") is { Count: > 0 } list
            ? (args.Text("script") is null ? list : throw new ArgumentException("Give either 'command' or 'script', not both."))
            : args.Text("script") is { Length: > 0 } script ? ["sh", "-c", script] : throw new ArgumentException("'command' (the program and its arguments) or 'script' is required.");
        var env = args.Object("env") is { } given
            ? given.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText(), StringComparer.Ordinal)
            : null;
        var seconds = args.Int("timeout_seconds");
        var result = await workspaces.ExecAsync(id, new ExecRequest(command, env, args.Text("stdin"), seconds is { } s ? TimeSpan.FromSeconds(s) : null, args.Int("max_output_bytes") ?? ExecRequest.DefaultMaxOutputBytes), cancellationToken);
        var output = new JsonObject
        {
            ["exit_code"] = result.ExitCode,
            ["stdout"] = result.Stdout,
            ["stderr"] = result.Stderr,
            ["stdout_truncated"] = result.StdoutTruncated,
            ["stderr_truncated"] = result.StderrTruncated,
            ["termination"] = result.Termination.ToString(),
            ["duration_ms"] = Math.Round(result.Duration.TotalMilliseconds, 1),
        };
        var reason = result.FailureReason;
        if (reason is not null)
        {
            output["failure_reason"] = reason;
        }

        return new CallToolResult
        {
            IsError = !result.Succeeded,
            Content = [new TextContentBlock { Text = result.Succeeded ? result.Stdout : $"The command {reason}.\n{result.Stderr}".TrimEnd() }],
            StructuredContent = ToElement(output),
        };
    }

    private async Task<CallToolResult> WriteAsync(Arguments args, CancellationToken cancellationToken)
    {
        var content = args.Required("content", allowEmpty: true);
        var bytes = (args.Text("encoding") ?? "utf8") switch
        {
            "utf8" => Encoding.UTF8.GetBytes(content),
            "base64" => DecodeBase64(content),
            var other => throw new ArgumentException($"'encoding' is '{other}'; use utf8 or base64."),
        };
        var path = args.Required("path");
        await workspaces.WriteFileAsync(args.Required("workspace_id"), path, bytes, cancellationToken);
        return Ok(new JsonObject { ["path"] = path, ["bytes"] = bytes.Length });
    }

    private async Task<CallToolResult> ReadAsync(Arguments args, CancellationToken cancellationToken)
    {
        var file = await workspaces.ReadFileAsync(args.Required("workspace_id"), args.Required("path"), args.Int("max_bytes") ?? 1024 * 1024, cancellationToken);
        string text;
        string encoding;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(file.Content);
            encoding = "utf8";
        }
        catch (DecoderFallbackException)
        {
            text = Convert.ToBase64String(file.Content);
            encoding = "base64";
        }

        return new CallToolResult
        {
            Content = [new TextContentBlock { Text = text }],
            StructuredContent = ToElement(new JsonObject { ["path"] = file.Path, ["content"] = text, ["encoding"] = encoding, ["bytes"] = file.Bytes, ["truncated"] = file.Truncated }),
        };
    }

    private async Task<CallToolResult> DestroyAsync(Arguments args, CancellationToken cancellationToken)
    {
        var id = args.Required("workspace_id");
        return await workspaces.DestroyAsync(id, args.Enum<CleanupMode>("cleanup_mode"), cancellationToken)
            ? Ok(new JsonObject { ["workspace_id"] = id, ["destroyed"] = true })
            : Error($"No workspace has the id '{id}'.");
    }

    private async Task<CallToolResult> ListAsync(CancellationToken cancellationToken)
    {
        await workspaces.EnsureLoadedAsync(cancellationToken);
        var list = new JsonArray();
        foreach (var view in workspaces.List())
        {
            var w = view.Workspace;
            list.Add(new JsonObject
            {
                ["workspace_id"] = w.Id,
                ["isolation_mode"] = w.Isolation.ToString().ToLowerInvariant(),
                ["state"] = w.State.ToString().ToLowerInvariant(),
                ["limits"] = JsonSerializer.SerializeToNode(w.Limits, Json),
                ["disk_bytes"] = view.DiskBytes,
                ["commands_running"] = view.CommandsRunning,
                ["instance_id"] = w.Owner.InstanceId,
                ["node_id"] = w.Owner.NodeId,
                ["created_at"] = w.CreatedAt,
                ["expires_at"] = w.ExpiresAt,
            });
        }

        return Ok(new JsonObject { ["workspaces"] = list });
    }

    private static long? Size(JsonElement limits, string name)
    {
        if (!limits.TryGetProperty(name, out var value))
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var bytes) && bytes > 0)
        {
            return bytes;
        }

        return value.ValueKind == JsonValueKind.String && ByteSize.TryParse(value.GetString(), out var parsed)
            ? parsed
            : throw new ArgumentException($"'limits.{name}' is {value.GetRawText()}, not a size (e.g. 512m, 2g, or bytes).");
    }

    private static byte[] DecodeBase64(string content)
    {
        try
        {
            return Convert.FromBase64String(content);
        }
        catch (FormatException)
        {
            throw new ArgumentException("'content' is not valid base64 (encoding is base64).");
        }
    }

    private static CallToolResult Ok(JsonObject result) => new()
    {
        Content = [new TextContentBlock { Text = result.ToJsonString() }],
        StructuredContent = ToElement(result),
    };

    private static CallToolResult Error(string message) => new() { IsError = true, Content = [new TextContentBlock { Text = message }] };

    private static JsonElement ToElement(JsonObject value) => JsonSerializer.SerializeToElement(value);

    private static Tool Define(string name, string description, string schema) => new()
    {
        Name = name,
        Description = description,
        InputSchema = JsonDocument.Parse(schema).RootElement.Clone(),
    };

    /// <summary>A tool's arguments, read with errors that name the argument.</summary>
    private sealed class Arguments(IDictionary<string, JsonElement>? values)
    {
        public string Required(string name, bool allowEmpty = false) =>
            Text(name) is { } text && (allowEmpty || text.Length > 0) ? text : throw new ArgumentException($"'{name}' is required.");

        public string? Text(string name) => Get(name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.String } v => v.GetString(),
            var v => throw new ArgumentException($"'{name}' must be a string, not {v.Value.ValueKind.ToString().ToLowerInvariant()}."),
        };

        public int? Int(string name) => Get(name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.Number } v when v.TryGetInt32(out var n) && n > 0 => n,
            var v => throw new ArgumentException($"'{name}' must be a whole number above 0, not {v.Value.GetRawText()}."),
        };

        public bool? Bool(string name) => Get(name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.True } => true,
            { ValueKind: JsonValueKind.False } => false,
            var v => throw new ArgumentException($"'{name}' must be true or false, not {v.Value.GetRawText()}."),
        };

        public JsonElement? Object(string name) => Get(name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.Object } v => v,
            var v => throw new ArgumentException($"'{name}' must be an object, not {v.Value.ValueKind.ToString().ToLowerInvariant()}."),
        };

        public List<string>? Strings(string name) => Get(name) switch
        {
            null => null,
            { ValueKind: JsonValueKind.Array } v when v.EnumerateArray().All(i => i.ValueKind == JsonValueKind.String) => [.. v.EnumerateArray().Select(i => i.GetString()!)],
            _ => throw new ArgumentException($"'{name}' must be an array of strings."),
        };

        public T? Enum<T>(string name)
            where T : struct, System.Enum =>
            Text(name) is not { } text ? null
            : System.Enum.TryParse<T>(text, ignoreCase: true, out var value) && System.Enum.IsDefined(value) ? value
            : throw new ArgumentException($"'{name}' is '{text}'; use {string.Join(", ", System.Enum.GetNames<T>().Select(n => n.ToLowerInvariant()))}.");

        private JsonElement? Get(string name) =>
            values is not null && values.TryGetValue(name, out var value) && value.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined) ? value : null;
    }
}
