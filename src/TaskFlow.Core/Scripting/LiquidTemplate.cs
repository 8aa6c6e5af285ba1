using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Fluid;
using Fluid.Values;
using TaskFlow.Core.Templates;

namespace TaskFlow.Core.Scripting;

/// <summary>
/// A Liquid text template (<c>{ "liquid": "Hello {{ Variables.name }}" }</c>, as Elsa writes text),
/// rendered with Fluid. Its value is always a string. Parsed once; safe to render from several
/// threads at once. Rendering is bounded in steps, recursion, collection size and output length.
/// </summary>
public sealed partial class LiquidTemplate
{
    private const int MaxCachedTemplates = 1024;

    private static readonly FluidParser Parser = new();

    private static readonly TemplateOptions Options = new TemplateOptionsBuilder()
        .WithMaxSteps(TemplateLimits.MaxEvaluationSteps)
        .WithMaxRecursion(TemplateLimits.MaxNestingDepth)
        .WithMaxCollectionSize(TemplateLimits.MaxRangeItems)
        .WithMaxOutputSize(TemplateLimits.MaxStringLength)
        .WithCultureInfo(CultureInfo.InvariantCulture)
        .WithTimeZone(TimeZoneInfo.Utc)
        .Build();

    private static readonly ConcurrentDictionary<string, LiquidTemplate> Cache = new(StringComparer.Ordinal);

    private readonly IFluidTemplate _template;

    private LiquidTemplate(string source, IFluidTemplate template)
    {
        Source = source;
        _template = template;
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in NamedReference().Matches(source))
        {
            (match.Groups["root"].Value == "nodes" ? ids : secrets).Add(match.Groups["plain"].Success ? match.Groups["plain"].Value : match.Groups["quoted"].Value);
        }

        ReferencedNodeIds = ids.ToFrozenSet(StringComparer.Ordinal);
        ReferencedSecrets = secrets.ToFrozenSet(StringComparer.Ordinal);
        ReferencedRoots = Roots.Where(r => source.Contains(r.Key, StringComparison.Ordinal)).Select(r => r.Value).ToFrozenSet(StringComparer.Ordinal);
    }

    // Scope roots under TaskFlow's names and Elsa's.
    private static readonly KeyValuePair<string, string>[] Roots =
    [
        new("input", "input"), new("Input", "input"), new("vars", "vars"), new("Variables", "vars"), new("nodes", "nodes"),
        new("item", "item"), new("index", "index"), new("instance", "instance"), new("WorkflowInstanceId", "instance"),
        new("CorrelationId", "instance"), new("attempt", "attempt"), new("output", "output"), new("secrets", "secrets"),
    ];

    /// <summary>The template as written.</summary>
    public string Source { get; }

    /// <summary>Node ids named literally: <c>nodes.id</c> or <c>nodes["id"]</c>.</summary>
    public IReadOnlySet<string> ReferencedNodeIds { get; }

    /// <summary>Secrets named literally: <c>secrets.NAME</c> or <c>secrets["NAME"]</c>.</summary>
    public IReadOnlySet<string> ReferencedSecrets { get; }

    /// <summary>Scope roots the template names.</summary>
    public IReadOnlySet<string> ReferencedRoots { get; }

    /// <summary>Parses <paramref name="source"/>.</summary>
    /// <exception cref="TemplateSyntaxException">The source is not valid Liquid; the message gives the position.</exception>
    public static LiquidTemplate Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (Cache.TryGetValue(source, out var cached))
        {
            return cached;
        }

        if (source.Length > TemplateLimits.MaxTemplateLength)
        {
            throw TemplateSyntaxException.At(source, TemplateLimits.MaxTemplateLength, $"The Liquid template is {source.Length} characters long; the limit is {TemplateLimits.MaxTemplateLength}");
        }

        IFluidTemplate template;
        try
        {
            template = Parser.Parse(source);
        }
        catch (ParseException ex)
        {
            var offset = Math.Clamp(ex.Position?.Offset ?? 0, 0, source.Length);
            var line = source.Contains('\n') && ex.Position is { } p ? $" (line {p.Line}, column {p.Column})" : "";
            throw TemplateSyntaxException.At(source, offset, $"Liquid syntax error: {FirstSentence(ex.Message)}{line}");
        }

        var result = new LiquidTemplate(source, template);
        if (Cache.Count >= MaxCachedTemplates)
        {
            Cache.Clear();
        }

        Cache.TryAdd(source, result);
        return result;
    }

    /// <summary>Renders against <paramref name="scope"/>, which is only read.</summary>
    /// <exception cref="TemplateEvaluationException">Rendering failed or went over a limit.</exception>
    public string Render(JsonObject scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var context = new TemplateContext(Options);
        foreach (var (name, root) in Roots)
        {
            if (ReferencedRoots.Contains(root) && scope.TryGetPropertyValue(root, out var value))
            {
                context.SetValue(name, name switch
                {
                    "WorkflowInstanceId" => FluidValue.Create(value?["id"]?.ToString(), Options),
                    "CorrelationId" => FluidValue.Create(value?["correlationId"]?.ToString(), Options),
                    _ => FluidValue.Create(ToClr(value), Options),
                });
            }
        }

        try
        {
            return _template.Render(context);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new TemplateEvaluationException(Source, $"Liquid: {ex.Message.TrimEnd('.')}");
        }
    }

    /// <inheritdoc />
    public override string ToString() => Source;

    // Fluid reads dictionaries, lists and primitives; numbers as decimals, like the template language.
    private static object? ToClr(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => obj.ToDictionary(p => p.Key, p => ToClr(p.Value), StringComparer.Ordinal),
        JsonArray array => array.Select(ToClr).ToList(),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => decimal.TryParse(value.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : value.ToJsonString(),
            _ => null,
        },
        _ => null,
    };

    private static string FirstSentence(string message)
    {
        var end = message.IndexOf(" at (", StringComparison.Ordinal);
        return (end > 0 ? message[..end] : message).TrimEnd('.');
    }

    [GeneratedRegex("""\b(?<root>nodes|secrets)(?:\.(?<plain>[A-Za-z_][A-Za-z0-9_-]*)|\[\s*["'](?<quoted>[^"']+)["']\s*\])""")]
    private static partial Regex NamedReference();
}
