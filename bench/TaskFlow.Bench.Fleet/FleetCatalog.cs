using System.Text.Json.Nodes;

namespace TaskFlow.Bench.Fleet;

/// <summary>
/// The MCP Infrastructure Scaling Report's 19 servers as they exist on npm (pinned in
/// install-fleet.sh), stand-ins from npm where the report's server is not published there, and the
/// two the report adds, served by TaskFlow. <c>{run}</c> in an argument or variable is the run's
/// scratch folder: every server keeps its state there, not in the user's home.
/// </summary>
internal static class FleetCatalog
{
    public static IReadOnlyList<FleetServer> Servers { get; } =
    [
        // Tier 1 (priority 100).
        new("claude-flow", "claude-flow@alpha", 1, "claude-flow", ["mcp", "start"], "agent_list", new JsonObject(),
            "claude-flow 3.43.0, protocol 2024-11-05"),
        new("memory-bank", "memory-bank-mcp", 1, "@allpepper/memory-bank-mcp", [], "list_projects", new JsonObject(),
            Environment: new Dictionary<string, string> { ["MEMORY_BANK_ROOT"] = "{run}/memory-bank" }),
        new("postgres", "postgres-mcp", 1, "@modelcontextprotocol/server-postgres", ["postgresql://127.0.0.1:5432/postgres"],
            Note: "no database running: it lists its tool, a query would fail"),

        // Tier 2 (priority 75).
        new("filesystem", "mcp-server-filesystem", 2, "@modelcontextprotocol/server-filesystem", ["{run}/files"], "list_allowed_directories", new JsonObject()),
        new("git", "mcp-server-git", 2, "@cyanheads/git-mcp-server", [],
            Note: "stand-in: the report's mcp-server-git is a Python package"),
        new("memory", "extended_memory_mcp", 2, "@modelcontextprotocol/server-memory", [], "read_graph", new JsonObject(),
            "stand-in: extended_memory_mcp is not on npm",
            new Dictionary<string, string> { ["MEMORY_FILE_PATH"] = "{run}/memory.jsonl" }),
        new("desktop-commander", "UltimateCoderMCP", 2, "@wonderwhy-er/desktop-commander", [], "get_config", new JsonObject(),
            "stand-in: UltimateCoderMCP is a Python package"),

        // Tier 3 (priority 50): the report's, and the router's default for servers the report does not tier.
        new("nx-mcp", "nx-mcp", 3, "nx-mcp", [],
            Note: "its one tool (nx_docs) fetches from the network"),
        new("knowledge-graph", "mcp-knowledge-graph", 3, "@itseasy21/mcp-knowledge-graph", ["--memory-path", "{run}/knowledge-graph.jsonl"], "read_graph", new JsonObject()),
        new("ssh", "mcp_ssh", 3, "mcp-ssh-manager", [], "ssh_list_servers", new JsonObject(),
            "mcp-ssh-manager; no hosts configured"),
        new("everything", "mcp-language-server", 3, "@modelcontextprotocol/server-everything", ["stdio"], "echo", new JsonObject { ["message"] = "fleet" },
            "stand-in: mcp-language-server is a Go program; server-everything is the SDK's reference server"),
        new("fetch", "mcp-server-fetch", 3, "mcp-server-fetch-typescript", [],
            Note: "stand-in for the Python mcp-server-fetch; its tools need the network"),
        new("shell", "mcp-server-shell", 3, "mcp-server-commands", [],
            Note: "mcp-server-commands 0.5.0 (protocol 2024-11-05); its one tool runs commands"),
        new("docker", "mcp-server-docker", 3, "mcp-server-docker", [],
            Note: "its one tool runs commands in containers"),
        new("kubernetes", "mcp-server-kubernetes", 3, "mcp-server-kubernetes", [],
            Note: "no cluster: it lists its tools"),
        new("ruv-swarm", "ruv-swarm", 3, "ruv-swarm", ["mcp", "start"], "features_detect", new JsonObject(),
            "better-sqlite3 compiled by install-fleet.sh"),
        new("task-decomposition", "task-decomposition-mcp (NEW)", 3, null, ["mcp", "task-decomposition"], "aggregate",
            new JsonObject { ["mode"] = "sequential", ["results"] = new JsonArray(new JsonObject { ["id"] = "a", ["status"] = "succeeded" }) },
            "taskflow mcp task-decomposition (SQLite in the run folder)"),
        new("workspace-isolation", "workspace-isolation-mcp (NEW)", 3, null, ["mcp", "workspace-isolation"], "list_workspaces", new JsonObject(),
            "taskflow mcp workspace-isolation (process isolation, no warm pool)",
            new Dictionary<string, string>
            {
                ["TaskFlow__Workspaces__Root"] = "{run}/workspaces",
                ["TaskFlow__Workspaces__DefaultIsolation"] = "Process",
                ["TaskFlow__Workspaces__WarmPoolSize"] = "0",
            }),

        // Tier 4 (priority 25).
        new("playwright", "mcp-server-playwright", 4, "@playwright/mcp", [],
            Note: "no browser downloaded: it lists its tools, browser tools would fail"),
        new("puppeteer", "puppeteer-mcp-server", 4, "@modelcontextprotocol/server-puppeteer", [],
            Note: "the report marks it no longer in use; no Chromium downloaded"),
        new("compass", "mcp-compass", 4, "@liuyoshio/mcp-compass", [],
            Note: "its one tool asks a remote API"),
    ];

    /// <summary>The report's 19 (without TaskFlow's two).</summary>
    public static IReadOnlyList<FleetServer> Current { get; } = [.. Servers.Where(s => !s.IsNew)];
}
