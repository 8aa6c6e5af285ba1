using System.Text.Json.Nodes;
using TaskFlow.Core.Templates.Ast;

namespace TaskFlow.Core.Templates.Json;

// Walks a JSON tree once, parsing every string as a template. Either throws at the first bad
// string or, for validation, collects every bad string.
internal sealed class TemplatedJsonCompiler
{
    private readonly List<(string Path, TemplateSyntaxException Error)>? _errors;

    private TemplatedJsonCompiler(bool collectErrors)
    {
        _errors = collectErrors ? [] : null;
    }

    public ReferenceCollector References { get; } = new();

    public static (JsonPart Root, TemplateReferences References) Compile(JsonNode? tree, string path)
    {
        var compiler = new TemplatedJsonCompiler(collectErrors: false);
        var root = compiler.Visit(tree, path) ?? new ConstantJsonPart(tree?.DeepClone());
        return (root, compiler.References.ToReferences());
    }

    public static IReadOnlyList<(string Path, TemplateSyntaxException Error)> FindErrors(JsonNode? tree, string path)
    {
        var compiler = new TemplatedJsonCompiler(collectErrors: true);
        compiler.Visit(tree, path);
        return compiler._errors!;
    }

    // The compiled part, or null when the subtree has no templates (the caller snapshots it).
    private JsonPart? Visit(JsonNode? node, string path) => node switch
    {
        JsonObject obj when Scripting.ScriptObject.TryGetJavaScript(obj, out var source) => VisitScript(source, path),
        JsonObject obj when Scripting.ScriptObject.TryGetLiquid(obj, out var source) => VisitLiquid(source, path),
        JsonObject obj => VisitObject(obj, path),
        JsonArray array => VisitArray(array, path),
        JsonValue value when value.TryGetValue(out string? text) => VisitString(text, path),
        _ => null,
    };

    private JsonPart? VisitObject(JsonObject obj, string path)
    {
        var parts = new KeyValuePair<string, JsonPart?>[obj.Count];
        var templated = false;
        var i = 0;
        foreach (var (name, child) in obj)
        {
            var part = Visit(child, JsonPathText.Property(path, name));
            templated |= part is not null;
            parts[i++] = new(name, part);
        }

        if (!templated)
        {
            return null;
        }

        return new ObjectJsonPart(Array.ConvertAll(parts, p => new KeyValuePair<string, JsonPart>(p.Key, p.Value ?? Snapshot(obj[p.Key]))));
    }

    private JsonPart? VisitArray(JsonArray array, string path)
    {
        var parts = new JsonPart?[array.Count];
        var templated = false;
        for (var i = 0; i < array.Count; i++)
        {
            parts[i] = Visit(array[i], JsonPathText.Index(path, i));
            templated |= parts[i] is not null;
        }

        if (!templated)
        {
            return null;
        }

        var items = new JsonPart[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            items[i] = parts[i] ?? Snapshot(array[i]);
        }

        return new ArrayJsonPart(items);
    }

    private TemplateJsonPart? VisitString(string text, string path)
    {
        if (!Template.TryParse(text, out var template, out var error))
        {
            var displayPath = JsonPathText.Display(path);
            if (_errors is null)
            {
                throw error.WithPath(displayPath);
            }

            _errors.Add((displayPath, error));
            return null;
        }

        if (template.IsLiteral)
        {
            return null;
        }

        References.Add(new TemplateReferences(template.ReferencedNodeIds, template.ReferencedRoots, template.ReferencedSecrets));
        return new TemplateJsonPart(template, JsonPathText.Display(path));
    }

    private ScriptJsonPart? VisitScript(string source, string path)
    {
        if (Parse(Scripting.JavaScriptExpression.Parse, source, path) is not { } script)
        {
            return null;
        }

        References.Add(new TemplateReferences(script.ReferencedNodeIds, script.ReferencedRoots, script.ReferencedSecrets));
        return new ScriptJsonPart(script, JsonPathText.Display(path));
    }

    private LiquidJsonPart? VisitLiquid(string source, string path)
    {
        if (Parse(Scripting.LiquidTemplate.Parse, source, path) is not { } template)
        {
            return null;
        }

        References.Add(new TemplateReferences(template.ReferencedNodeIds, template.ReferencedRoots, template.ReferencedSecrets));
        return new LiquidJsonPart(template, JsonPathText.Display(path));
    }

    // A syntax error is thrown with its path, or, when errors are being collected, kept (and null returned).
    private T? Parse<T>(Func<string, T> parse, string source, string path)
        where T : class
    {
        try
        {
            return parse(source);
        }
        catch (TemplateSyntaxException error)
        {
            var displayPath = JsonPathText.Display(path);
            if (_errors is null)
            {
                throw error.WithPath(displayPath);
            }

            _errors.Add((displayPath, error));
            return null;
        }
    }

    private static ConstantJsonPart Snapshot(JsonNode? node) => new(node?.DeepClone());
}
