using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Text.Json.Nodes;
using Acornima;
using Acornima.Ast;
using Jint;
using TaskFlow.Core.Templates;

namespace TaskFlow.Core.Scripting;

/// <summary>
/// A JavaScript expression or script (<c>{ "js": "..." }</c> in a definition), parsed and prepared
/// once; its value is the script's completion value, as in Elsa. Immutable and safe to evaluate
/// from several threads at once: each evaluation rents a sandboxed engine from the pool.
/// </summary>
public sealed class JavaScriptExpression
{
    /// <summary>Longest script accepted.</summary>
    public const int MaxSourceLength = 64 * 1024;

    private const int MaxCachedScripts = 2048;

    private static readonly ConcurrentDictionary<string, JavaScriptExpression> Cache = new(StringComparer.Ordinal);

    private static readonly ScriptPreparationOptions PrepareOptions = new() { CollectReferencedGlobals = true };

    // The scope roots, and the script API functions that read each.
    private static readonly FrozenDictionary<string, string> RootOfGlobal = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["input"] = "input",
        ["getInput"] = "input",
        ["vars"] = "vars",
        ["variables"] = "vars",
        ["getVariable"] = "vars",
        ["setVariable"] = "vars",
        ["nodes"] = "nodes",
        ["getOutputFrom"] = "nodes",
        ["item"] = "item",
        ["index"] = "index",
        ["instance"] = "instance",
        ["getWorkflowInstanceId"] = "instance",
        ["getCorrelationId"] = "instance",
        ["attempt"] = "attempt",
        ["output"] = "output",
        ["getLastResult"] = "output",
        ["secrets"] = "secrets",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private JavaScriptExpression(string source, Prepared<Script> prepared)
    {
        Source = source;
        Prepared = prepared;
        var (nodeIds, secrets) = ScriptReferences.Collect(prepared.Program!);
        ReferencedNodeIds = nodeIds.ToFrozenSet(StringComparer.Ordinal);
        ReferencedSecrets = secrets.ToFrozenSet(StringComparer.Ordinal);
        var globals = prepared.ReferencedGlobals!;
        Globals = globals.ToFrozenSet(StringComparer.Ordinal);
        ReferencedRoots = globals.Where(RootOfGlobal.ContainsKey).Select(g => RootOfGlobal[g]).ToFrozenSet(StringComparer.Ordinal);
    }

    /// <summary>The script as written.</summary>
    public string Source { get; }

    /// <summary>Node ids read literally: <c>nodes.id</c>, <c>nodes["id"]</c>, <c>getOutputFrom("id")</c>.</summary>
    public IReadOnlySet<string> ReferencedNodeIds { get; }

    /// <summary>Secrets named literally: <c>secrets.NAME</c>, <c>secrets["NAME"]</c>.</summary>
    public IReadOnlySet<string> ReferencedSecrets { get; }

    /// <summary>Scope roots the script reads, directly or through the script API (<c>getVariable</c> reads <c>vars</c>).</summary>
    public IReadOnlySet<string> ReferencedRoots { get; }

    internal Prepared<Script> Prepared { get; }

    // Names the script reads from the global scope, so only those roots are converted.
    internal FrozenSet<string> Globals { get; }

    /// <summary>Parses and prepares <paramref name="source"/>; the same source is prepared only once per process.</summary>
    /// <exception cref="TemplateSyntaxException">The source is not valid JavaScript; the message gives the position.</exception>
    public static JavaScriptExpression Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (Cache.TryGetValue(source, out var cached))
        {
            return cached;
        }

        if (source.Length > MaxSourceLength)
        {
            throw TemplateSyntaxException.At(source, MaxSourceLength, $"The script is {source.Length} characters long; the limit is {MaxSourceLength}");
        }

        Prepared<Script> prepared;
        try
        {
            prepared = Engine.PrepareScript(source, options: PrepareOptions);
        }
        catch (ScriptPreparationException ex) when (ex.InnerException is ParseErrorException parse)
        {
            var index = Math.Clamp(parse.Error?.Index ?? 0, 0, source.Length);
            var line = source.Contains('\n') ? $" (line {parse.LineNumber}, column {parse.Column + 1})" : "";
            throw TemplateSyntaxException.At(source, index, $"JavaScript syntax error: {parse.Description}{line}");
        }

        var expression = new JavaScriptExpression(source, prepared);
        if (Cache.Count >= MaxCachedScripts)
        {
            Cache.Clear();
        }

        Cache.TryAdd(source, expression);
        return expression;
    }

    /// <summary>Evaluates against <paramref name="scope"/>, which is only read; the result is the value as JSON.</summary>
    /// <param name="effects">Receives variables written with <c>setVariable</c>; writing fails the evaluation when null.</param>
    /// <exception cref="TemplateEvaluationException">The script threw or hit a limit; the message says which.</exception>
    public JsonNode? Evaluate(JsonObject scope, ScriptEffects? effects = null)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return JavaScriptEngines.Pool.Evaluate(this, scope, effects, static (engine, value) => ScriptValues.ToJson(engine, value));
    }

    /// <summary>Evaluates and applies JavaScript's truthiness (<c>0</c>, <c>""</c>, <c>null</c>, <c>undefined</c>, <c>NaN</c> are false; <c>[]</c> is true).</summary>
    /// <exception cref="TemplateEvaluationException">The script threw or hit a limit.</exception>
    public bool EvaluateCondition(JsonObject scope, ScriptEffects? effects = null)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return JavaScriptEngines.Pool.Evaluate(this, scope, effects, static (_, value) => Jint.Runtime.TypeConverter.ToBoolean(value));
    }

    /// <inheritdoc />
    public override string ToString() => Source;
}
