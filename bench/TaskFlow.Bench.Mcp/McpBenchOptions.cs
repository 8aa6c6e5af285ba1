using System.Globalization;

namespace TaskFlow.Bench.Mcp;

/// <summary>The command line, checked once: every problem is named in one message.</summary>
internal sealed class McpBenchOptions
{
    public const string Usage = "usage: TaskFlow.Bench.Mcp [--calls N] [--warmup N] [--transport stdio|http|gateway|both|all|decisions] [--servers DIR] [--rounds N]";

    /// <summary>
    /// server-everything over HTTP keeps every SSE event in memory and logs each request, so HTTP
    /// phases run this share of the stdio call counts (and a fresh server per side and round).
    /// </summary>
    public const int HttpDivisor = 5;

    /// <summary>Measured calls per phase over stdio.</summary>
    public int Calls { get; private init; } = 10_000;

    /// <summary>Unreported calls per side and round over stdio before measuring (JIT tiering, pools).</summary>
    public int Warmup { get; private init; } = 5_000;

    public bool Stdio { get; private init; } = true;

    public bool Http { get; private init; } = true;

    /// <summary>The gateway (<c>/mcp</c> over HTTP, in process) against a direct stdio call.</summary>
    public bool Gateway { get; private init; } = true;

    /// <summary>Each round measures both sides; the order alternates, figures are the median of the rounds.</summary>
    public int Rounds { get; private init; } = 3;

    /// <summary>The folder whose node_modules holds the MCP servers (scripts/install-mcp-servers.sh).</summary>
    public required string ServersFolder { get; init; }

    public int HttpCalls => Math.Max(1, Calls / HttpDivisor);

    public int HttpWarmup => Math.Max(1, Warmup / 2);

    public static McpBenchOptions Parse(string[] args)
    {
        var problems = new List<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        string[] known = ["--calls", "--warmup", "--transport", "--servers", "--rounds"];
        for (var i = 0; i < args.Length; i++)
        {
            if (!known.Contains(args[i]))
            {
                problems.Add($"'{args[i]}' is not an option");
            }
            else if (i + 1 >= args.Length)
            {
                problems.Add($"{args[i]} needs a value");
            }
            else
            {
                values[args[i]] = args[++i];
            }
        }

        var transport = values.GetValueOrDefault("--transport", "all");
        if (transport is not ("stdio" or "http" or "gateway" or "both" or "all" or "decisions"))
        {
            problems.Add($"--transport is '{transport}'; use stdio, http, gateway, both (stdio and http), all, or decisions (route decisions only)");
        }

        var calls = Count(values, "--calls", 10_000, problems);
        var warmup = Count(values, "--warmup", 5_000, problems);
        var rounds = Count(values, "--rounds", 3, problems);
        var folder = values.TryGetValue("--servers", out var given) ? Path.GetFullPath(given) : DefaultServersFolder();
        if (folder is null)
        {
            problems.Add("no --servers given, TASKFLOW_MCP_SERVERS is not set, and no TaskFlow.sln was found above the current or the program's folder to find tests/.mcp-servers from");
        }
        else if (!Directory.Exists(Path.Combine(folder, "node_modules")))
        {
            problems.Add($"the MCP servers are not installed in {folder} (no node_modules); run scripts/install-mcp-servers.sh or pass --servers");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join("; ", problems) + ".");
        }

        return new McpBenchOptions
        {
            Calls = calls,
            Warmup = warmup,
            Rounds = rounds,
            Stdio = transport is "stdio" or "both" or "all",
            Http = transport is "http" or "both" or "all",
            Gateway = transport is "gateway" or "all",
            ServersFolder = folder!,
        };
    }

    private static int Count(Dictionary<string, string> values, string name, int fallback, List<string> problems)
    {
        if (!values.TryGetValue(name, out var text))
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
        {
            return value;
        }

        problems.Add($"{name} is '{text}', not a whole number above 0");
        return fallback;
    }

    private static string? DefaultServersFolder()
    {
        if (Environment.GetEnvironmentVariable("TASKFLOW_MCP_SERVERS") is { Length: > 0 } configured)
        {
            return Path.GetFullPath(configured);
        }

        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "TaskFlow.sln")))
                {
                    return Path.Combine(dir.FullName, "tests", ".mcp-servers");
                }
            }
        }

        return null;
    }
}
