using System.Text.Json.Nodes;
using TaskFlow.Core.Scripting;
using TaskFlow.Core.Templates.Evaluation;
using TaskFlow.Core.Templates.Syntax;

namespace TaskFlow.Core.Templates;

/// <summary>
/// One expression without surrounding text, such as an edge condition. Accepts <c>a.b &gt; 1</c>
/// as well as <c>{{ a.b &gt; 1 }}</c>, or in JSON a JavaScript expression <c>{ "js": "..." }</c>
/// (see <see cref="FromJson"/>). Immutable and safe to evaluate from several threads at once.
/// </summary>
public sealed class TemplateExpression
{
    private readonly CompiledExpression? _expression;
    private readonly JavaScriptExpression? _script;

    private TemplateExpression(string text, CompiledExpression expression)
    {
        Text = text;
        _expression = expression;
    }

    private TemplateExpression(JavaScriptExpression script)
    {
        Text = script.Source;
        _script = script;
    }

    /// <summary>The expression as written (for JavaScript, its source).</summary>
    public string Text { get; }

    /// <summary>True for a JavaScript expression.</summary>
    public bool IsJavaScript => _script is not null;

    /// <summary>Node ids read through <c>nodes.id</c> or <c>nodes["id"]</c> with a literal key.</summary>
    public IReadOnlySet<string> ReferencedNodeIds => _script?.ReferencedNodeIds ?? _expression!.References.NodeIds;

    /// <summary>First identifiers of paths, such as <c>input</c>, <c>nodes</c>, <c>output</c>.</summary>
    public IReadOnlySet<string> ReferencedRoots => _script?.ReferencedRoots ?? _expression!.References.Roots;

    /// <summary>
    /// Parses a condition as it appears in JSON: a string in the template language, or
    /// <c>{ "js": "..." }</c> for JavaScript.
    /// </summary>
    /// <exception cref="TemplateSyntaxException">The expression is not valid, or the value is neither form.</exception>
    public static TemplateExpression FromJson(JsonNode value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value is JsonValue text && text.TryGetValue(out string? expression))
        {
            return Parse(expression);
        }

        if (ScriptObject.TryGetJavaScript(value, out var source))
        {
            return new TemplateExpression(JavaScriptExpression.Parse(source));
        }

        var json = value.ToJsonString();
        throw TemplateSyntaxException.At(json, 0, "Expected an expression string or { \"js\": \"...\" }");
    }

    /// <summary>Parses <paramref name="text"/>, with or without <c>{{ }}</c>.</summary>
    /// <exception cref="TemplateSyntaxException">The text is not one valid expression.</exception>
    public static TemplateExpression Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.AsSpan().TrimStart().StartsWith(TemplateParser.Open, StringComparison.Ordinal))
        {
            var template = Template.Parse(text);
            return template.Whole is { } whole
                ? new TemplateExpression(text, whole)
                : throw TemplateSyntaxException.At(text, SecondPartStart(template), "Expected one '{{ expression }}' with no text around it");
        }

        if (text.Length > TemplateLimits.MaxTemplateLength)
        {
            throw TemplateSyntaxException.At(text, TemplateLimits.MaxTemplateLength,
                $"Expression is {text.Length} characters long; the limit is {TemplateLimits.MaxTemplateLength}");
        }

        return new TemplateExpression(text, new CompiledExpression(ExpressionParser.ParseBare(text), text.Trim()));
    }

    /// <summary>Evaluates against <paramref name="scope"/>, which is only read; the result is a new node the caller owns.</summary>
    /// <exception cref="TemplateEvaluationException">The expression could not be evaluated.</exception>
    public JsonNode? Evaluate(JsonObject scope, ScriptEffects? effects = null)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return _script is not null
            ? _script.Evaluate(scope, effects)
            : _expression!.Evaluate(new EvaluationContext(scope)).ToJsonNode();
    }

    /// <summary>
    /// Evaluates and applies <see cref="Truthiness"/>: null, false, 0, "" and [] are false. A JavaScript
    /// expression uses JavaScript's truthiness instead (<c>[]</c> is true there, <c>NaN</c> false).
    /// </summary>
    /// <param name="effects">Receives variables a JavaScript expression writes; writing fails when null.</param>
    /// <exception cref="TemplateEvaluationException">The expression could not be evaluated.</exception>
    public bool EvaluateCondition(JsonObject scope, ScriptEffects? effects = null)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return _script is not null
            ? _script.EvaluateCondition(scope, effects)
            : _expression!.Evaluate(new EvaluationContext(scope)).IsTruthy;
    }

    /// <inheritdoc />
    public override string ToString() => Text;

    // Where the template stops being a single placeholder: the first non-blank text or the second placeholder.
    private static int SecondPartStart(Template template)
    {
        var seenPlaceholder = false;
        foreach (var segment in template.Segments)
        {
            if (segment.Literal is { } literal)
            {
                var offset = literal.Length - literal.AsSpan().TrimStart().Length;
                if (offset < literal.Length)
                {
                    return segment.Start + offset;
                }
            }
            else if (seenPlaceholder)
            {
                return segment.Start;
            }
            else
            {
                seenPlaceholder = true;
            }
        }

        return 0;
    }
}
