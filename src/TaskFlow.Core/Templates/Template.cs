using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json.Nodes;
using TaskFlow.Core.Templates.Ast;
using TaskFlow.Core.Templates.Evaluation;
using TaskFlow.Core.Templates.Syntax;

namespace TaskFlow.Core.Templates;

/// <summary>
/// A string with <c>{{ expression }}</c> placeholders, parsed once and rendered many times.
/// Immutable and safe to render from several threads at once.
/// </summary>
/// <remarks>
/// When the whole text (ignoring surrounding whitespace) is one placeholder, <see cref="Render"/> returns
/// the value with its JSON type; otherwise every placeholder is converted to text and the result is a string.
/// </remarks>
public sealed class Template
{
    private readonly TemplateSegment[] _segments;
    private readonly TemplateReferences _references;

    private Template(string text, TemplateSegment[] segments)
    {
        Text = text;
        _segments = segments;
        Whole = FindWhole(segments);
        IsLiteral = Array.TrueForAll(segments, s => s.IsLiteral);

        var collector = new ReferenceCollector();
        foreach (var segment in segments)
        {
            if (segment.Expression is { } expression)
            {
                collector.Add(expression.References);
            }
        }

        _references = collector.ToReferences();
    }

    /// <summary>The template as written.</summary>
    public string Text { get; }

    /// <summary>True when the text has no placeholders; rendering then just returns the text.</summary>
    public bool IsLiteral { get; }

    /// <summary>Node ids read through <c>nodes.id</c> or <c>nodes["id"]</c> with a literal key.</summary>
    public IReadOnlySet<string> ReferencedNodeIds => _references.NodeIds;

    /// <summary>First identifiers of paths, such as <c>input</c>, <c>nodes</c>, <c>vars</c>, <c>item</c>.</summary>
    public IReadOnlySet<string> ReferencedRoots => _references.Roots;

    /// <summary>Secrets the template names literally (<c>secrets.NAME</c>), to check they are set before it renders.</summary>
    public IReadOnlySet<string> ReferencedSecrets => _references.Secrets;

    // The one placeholder that makes up the whole text, if that is the shape of this template.
    internal CompiledExpression? Whole { get; }

    internal IReadOnlyList<TemplateSegment> Segments => _segments;

    /// <summary>Parses <paramref name="text"/>.</summary>
    /// <exception cref="TemplateSyntaxException">The text is not a valid template.</exception>
    public static Template Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);

        // The common case in node inputs: plain text, no parsing at all.
        if (!text.Contains(TemplateParser.Open, StringComparison.Ordinal))
        {
            return new Template(text, text.Length == 0 ? [] : [new TemplateSegment(0, text, null)]);
        }

        return new Template(text, TemplateParser.Parse(text));
    }

    /// <summary>Parses <paramref name="text"/>, reporting a syntax error instead of throwing it.</summary>
    public static bool TryParse(
        string text,
        [NotNullWhen(true)] out Template? template,
        [NotNullWhen(false)] out TemplateSyntaxException? error)
    {
        try
        {
            template = Parse(text);
            error = null;
            return true;
        }
        catch (TemplateSyntaxException ex)
        {
            template = null;
            error = ex;
            return false;
        }
    }

    /// <summary>
    /// Renders against <paramref name="scope"/>, which is only read. The result is a new node that the
    /// caller owns: a string, or for a single-placeholder template the value with its type (possibly null).
    /// </summary>
    /// <exception cref="TemplateEvaluationException">An expression could not be evaluated.</exception>
    public JsonNode? Render(JsonObject scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        if (IsLiteral)
        {
            return JsonValue.Create(Text);
        }

        var context = new EvaluationContext(scope);
        return Whole is { } whole
            ? whole.Evaluate(context).ToJsonNode()
            : JsonValue.Create(RenderText(context));
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    private static CompiledExpression? FindWhole(TemplateSegment[] segments)
    {
        CompiledExpression? found = null;
        foreach (var segment in segments)
        {
            if (segment.Expression is null)
            {
                if (!string.IsNullOrWhiteSpace(segment.Literal))
                {
                    return null;
                }
            }
            else if (found is not null)
            {
                return null;
            }
            else
            {
                found = segment.Expression;
            }
        }

        return found;
    }

    private string RenderText(EvaluationContext context)
    {
        var builder = new StringBuilder();
        foreach (var segment in _segments)
        {
            builder.Append(segment.Literal ?? segment.Expression!.EvaluateText(context, builder.Length));
        }

        return builder.ToString();
    }
}
