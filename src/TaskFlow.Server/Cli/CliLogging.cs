using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Console;

namespace TaskFlow.Server.Cli;

/// <summary>Logging for commands whose stdout carries a result or a protocol.</summary>
internal static class CliLogging
{
    /// <summary>
    /// Every log line goes to stderr, warnings and worse unless <c>Logging:LogLevel</c> says
    /// otherwise. The format is one line per entry, unless <c>Logging:Console:FormatterName</c>
    /// picks another (<c>json</c> for structured logs, with scopes when
    /// <c>Logging:Console:FormatterOptions:IncludeScopes</c> is true).
    /// </summary>
    public static void ToStandardError(HostApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        if (string.IsNullOrEmpty(builder.Configuration["Logging:Console:FormatterName"]))
        {
            builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        }
    }
}
