namespace TaskFlow.Core.Scripting;

/// <summary>
/// The process's JavaScript engine pool. Definitions are compiled without a service provider (as
/// templates are), so the pool is process-wide; the host configures its limits once at startup.
/// </summary>
public static class JavaScriptEngines
{
    private static volatile JavaScriptEnginePool _pool = new(new JavaScriptOptions());

    internal static JavaScriptEnginePool Pool => _pool;

    /// <summary>The limits in force.</summary>
    public static JavaScriptOptions Options => _pool.Options;

    /// <summary>Replaces the limits; evaluations already running finish under the old ones.</summary>
    /// <exception cref="ArgumentException">The options are invalid; the message lists every problem.</exception>
    public static void Configure(JavaScriptOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException($"{JavaScriptOptions.SectionName} is invalid: {string.Join(" ", problems)}", nameof(options));
        }

        _pool = new JavaScriptEnginePool(options);
    }
}
