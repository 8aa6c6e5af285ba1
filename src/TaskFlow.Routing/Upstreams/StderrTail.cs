using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace TaskFlow.Routing.Upstreams;

/// <summary>
/// The last lines a stdio server wrote to stderr, kept to say why it went away. The last line alone
/// is often no reason: Node.js ends a crash with its version (<c>Node.js v20.20.2</c>) after the
/// stack, Python with the exception after its traceback, .NET with stack frames. So the line told
/// is the last one that names an error (<c>Error: Cannot find module ...</c>, <c>ValueError: ...</c>,
/// <c>System.IO.IOException: ...</c>, <c>error: ...</c>), else the last one that is not a stack frame,
/// a closing bracket or Node's version line.
/// </summary>
internal sealed partial class StderrTail
{
    /// <summary>Enough for a Node.js or .NET stack trace with its error line above it.</summary>
    public const int Capacity = 50;

    private readonly ConcurrentQueue<string> _lines = new();

    public void Add(string line)
    {
        _lines.Enqueue(line);
        while (_lines.Count > Capacity)
        {
            _lines.TryDequeue(out string? _);
        }
    }

    /// <summary>The line that best says why the process failed, trimmed (at most 500 characters); null when it wrote nothing telling.</summary>
    public string? TellingLine() => TellingLine(_lines.ToArray());

    internal static string? TellingLine(IReadOnlyList<string> lines)
    {
        string? fallback = null;
        for (var i = lines.Count - 1; i >= 0; i--)
        {
            var line = lines[i].Trim();
            if (ErrorLine().IsMatch(line))
            {
                return Cut(line);
            }

            if (fallback is null && line.Length > 0 && !Noise().IsMatch(line))
            {
                fallback = line;
            }
        }

        return fallback is null ? null : Cut(fallback);
    }

    private static string Cut(string line) => line.Length <= 500 ? line : line[..500] + "...";

    // Error: ..., TypeError: ..., Error [ERR_MODULE_NOT_FOUND]: ..., McpError: ..., ValueError: ...,
    // System.IO.IOException: ..., Unhandled exception. System.X: ..., error: ..., fatal: ..., panic: ...
    [GeneratedRegex(@"^(?:Uncaught\s+|Unhandled exception\.\s+)?(?:[A-Za-z_$][\w.$]*(?:Error|Exception)|[Ee]rror|ERROR|[Ff]atal|FATAL|panic)(?:\s*\[[^\]]*\])?:\s*\S")]
    private static partial Regex ErrorLine();

    // Stack frames (Node's "at ...", .NET's "at ...", Python's "File ..."), brackets closing an
    // error's properties, a caret under the failing code, Node's version line.
    [GeneratedRegex(@"^(?:at\s|File\s""|[\]\}\)]+,?$|\^+$|-{3,}|Node\.js v\d)")]
    private static partial Regex Noise();
}
