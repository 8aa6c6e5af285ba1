using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using TaskFlow.Engine.Hosting;
using TaskFlow.Routing;
using TaskFlow.Server.Hosting;
using TaskFlow.Workspaces;

namespace TaskFlow.Server.Tests.Deployment;

/// <summary>The two ways the image runs: <c>taskflow serve</c> (the web host) and <c>taskflow worker</c>.</summary>
public enum TaskFlowRole
{
    Serve,
    Worker,
}

/// <summary>
/// Whether an environment variable given to a TaskFlow container is something the app really
/// reads. <c>TaskFlow__Section__Key</c> is configuration key <c>TaskFlow:Section:Key</c>: it is
/// bound with the same binder and options class the app binds, told to fail on anything the
/// class does not have (so a misspelt key or a value that does not convert is named). Plain
/// variables are looked up in the source the role runs: a name counts only where that code
/// calls <c>Environment.GetEnvironmentVariable</c> with it.
/// </summary>
internal static partial class AppSettings
{
    /// <summary>Variables of the .NET base image and the ASP.NET Core host, not TaskFlow's.</summary>
    private static readonly HashSet<string> HostVariables = new(StringComparer.Ordinal)
    {
        "APP_UID", "ASPNETCORE_HTTP_PORTS", "ASPNETCORE_HTTPS_PORTS", "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT",
        "DOTNET_ENVIRONMENT", "DOTNET_RUNNING_IN_CONTAINER",
    };

    /// <summary>
    /// Engine options that <c>taskflow worker</c> always sets itself after configuration is bound
    /// (TaskFlowCommand.BuildHost): set in the environment they would be silently ignored. The
    /// others it overrides only when its command-line option is given.
    /// </summary>
    public static readonly IReadOnlyList<string> WorkerOverrides = ["RunWorkers"];

    /// <summary>
    /// The options classes of the server and the engine assemblies, each bound by the app from its
    /// <c>SectionName</c> (<c>TaskFlow:Engine</c>, <c>TaskFlow:Server</c>, ...): found by
    /// reflection, so a new options class is known here without editing this list.
    /// </summary>
    private static readonly (string Section, Type Options)[] Sections =
    [
        .. new[] { typeof(TaskFlowServerOptions).Assembly, typeof(TaskFlowEngineOptions).Assembly, typeof(WorkspaceOptions).Assembly, typeof(McpRoutingOptions).Assembly }
            .SelectMany(a => a.GetExportedTypes())
            .Select(t => (Field: t.GetField("SectionName", BindingFlags.Public | BindingFlags.Static), Type: t))
            .Where(x => x.Field is { IsLiteral: true } && x.Field.GetRawConstantValue() is string section && section.StartsWith("TaskFlow:", StringComparison.Ordinal))
            .Select(x => ((string)x.Field!.GetRawConstantValue()!, x.Type))
            .OrderBy(x => x.Item1, StringComparer.Ordinal),
    ];

    /// <summary>Null when <paramref name="variable"/> is read by <paramref name="role"/>; otherwise why not.</summary>
    public static string? Problem(string variable, string? value, TaskFlowRole role)
    {
        if (HostVariables.Contains(variable))
        {
            return null;
        }

        if (!variable.Contains("__", StringComparison.Ordinal))
        {
            return ReadDirectly(role).Contains(variable)
                ? null
                : $"{variable}: `taskflow {role.ToString().ToLowerInvariant()}` never reads this variable (it reads {string.Join(", ", ReadDirectly(role).Order(StringComparer.Ordinal))} directly, and TaskFlow__Section__Key configuration).";
        }

        var key = variable.Replace("__", ":", StringComparison.Ordinal);
        // The most specific section: TaskFlow:Workspaces:Container before TaskFlow:Workspaces.
        var (section, options) = Sections.Where(s => key.StartsWith(s.Section + ":", StringComparison.OrdinalIgnoreCase)).OrderByDescending(s => s.Section.Length).FirstOrDefault();
        if (options is null)
        {
            return key.StartsWith("ConnectionStrings:", StringComparison.OrdinalIgnoreCase)
                ? $"{variable}: the app binds no ConnectionStrings section; PostgreSQL is TASKFLOW_POSTGRES (serve and worker) or TaskFlow__Engine__PostgresConnectionString (serve only)."
                : $"{variable}: no TaskFlow setting has this key; the app binds {string.Join(" and ", Sections.Select(s => s.Section))} only.";
        }

        if (role == TaskFlowRole.Worker)
        {
            // The worker command builds a plain host with the engine, its MCP router, its
            // workspaces and its metrics listener (TaskFlowCommand.BuildHost), which asks for the
            // deployment's API keys: no web server, no scheduled jobs.
            var name = key[(section.Length + 1)..];
            var workerReads = options == typeof(TaskFlowEngineOptions)
                || options == typeof(TaskFlow.Server.Metrics.WorkerMetricsOptions)
                || (options == typeof(TaskFlowServerOptions) && name.StartsWith("ApiKeys", StringComparison.OrdinalIgnoreCase))
                || options.Assembly == typeof(WorkspaceOptions).Assembly
                || options.Assembly == typeof(McpRoutingOptions).Assembly;
            if (!workerReads)
            {
                return $"{variable}: a {section} setting, but `taskflow worker` runs the engine only, with its MCP router, workspaces and metrics (no web server, no scheduled jobs).";
            }

            if (WorkerOverrides.FirstOrDefault(o => o.Equals(name, StringComparison.OrdinalIgnoreCase)) is { } overridden)
            {
                return $"{variable}: `taskflow worker` sets {overridden} from its own options after binding configuration, so this is ignored; pass the worker's option (or TASKFLOW_POSTGRES) instead.";
            }
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(key, value ?? "")]).Build();
        try
        {
            configuration.GetSection(section).Get(options, binder => binder.ErrorOnUnknownConfiguration = true);
            return null;
        }
        catch (InvalidOperationException ex)
        {
            return $"{variable}: not a setting of {options.Name} ({section}), or its value '{value}' does not convert: {ex.Message}";
        }
    }

    /// <summary>Names the role's own code reads with <c>Environment.GetEnvironmentVariable("NAME")</c>.</summary>
    public static IReadOnlySet<string> ReadDirectly(TaskFlowRole role)
    {
        var server = DeploymentFiles.InRepository("src", "TaskFlow.Server");
        string[] files = role == TaskFlowRole.Serve
            ? [Path.Combine(server, "Program.cs"), .. Directory.GetFiles(Path.Combine(server, "Hosting"), "*.cs")]
            : [Path.Combine(server, "Cli", "TaskFlowCommand.cs")];
        return files.SelectMany(f => EnvironmentRead().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value)).ToHashSet(StringComparer.Ordinal);
    }

    [GeneratedRegex(@"GetEnvironmentVariable\(""([A-Za-z0-9_]+)""\)")]
    private static partial Regex EnvironmentRead();
}
