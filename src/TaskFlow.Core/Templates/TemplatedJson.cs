using System.Text.Json.Nodes;
using TaskFlow.Core.Templates.Ast;
using TaskFlow.Core.Templates.Json;

namespace TaskFlow.Core.Templates;

/// <summary>
/// A JSON tree (such as node inputs) whose strings may be templates and whose <c>{ "js": "..." }</c>
/// objects are JavaScript expressions, parsed once. <see cref="Render(JsonObject)"/>
/// returns a new tree with every template rendered; object keys and non-string values are copied as they are.
/// </summary>
public sealed class TemplatedJson
{
    private readonly JsonPart _root;
    private readonly TemplateReferences _references;

    private TemplatedJson(JsonPart root, TemplateReferences references)
    {
        _root = root;
        _references = references;
    }

    /// <summary>Node ids read by any template in the tree through <c>nodes.id</c> or <c>nodes["id"]</c>.</summary>
    public IReadOnlySet<string> ReferencedNodeIds => _references.NodeIds;

    /// <summary>First identifiers used by any template in the tree, such as <c>input</c> or <c>nodes</c>.</summary>
    public IReadOnlySet<string> ReferencedRoots => _references.Roots;

    /// <summary>Secrets the templates name literally (<c>secrets.NAME</c>), to check they are set before rendering.</summary>
    public IReadOnlySet<string> ReferencedSecrets => _references.Secrets;

    /// <summary>True when the tree holds no templates; <see cref="Render"/> then returns a copy of it.</summary>
    public bool IsConstant => _root is ConstantJsonPart;

    /// <summary>Parses every string in <paramref name="tree"/>; the tree is copied, so later changes to it do not matter.</summary>
    /// <exception cref="TemplateSyntaxException">A string is not a valid template; the message starts with its JSON path, e.g. <c>url: </c>.</exception>
    public static TemplatedJson Compile(JsonNode? tree) => Compile(tree, "");

    /// <summary>As <see cref="Compile(JsonNode?)"/>, with error paths starting at <paramref name="path"/>, e.g. <c>inputs</c>.</summary>
    public static TemplatedJson Compile(JsonNode? tree, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var (root, references) = TemplatedJsonCompiler.Compile(tree, path);
        return new TemplatedJson(root, references);
    }

    /// <summary>Every string in <paramref name="tree"/> that is not a valid template, in document order, for validation.</summary>
    public static IReadOnlyList<(string Path, TemplateSyntaxException Error)> FindErrors(JsonNode? tree) => FindErrors(tree, "");

    /// <summary>As <see cref="FindErrors(JsonNode?)"/>, with paths starting at <paramref name="path"/>, e.g. <c>inputs</c>.</summary>
    public static IReadOnlyList<(string Path, TemplateSyntaxException Error)> FindErrors(JsonNode? tree, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return TemplatedJsonCompiler.FindErrors(tree, path);
    }

    /// <summary>Renders every template against <paramref name="scope"/>, which is only read, into a new tree.</summary>
    /// <exception cref="TemplateEvaluationException">A template could not be evaluated; the message starts with its JSON path.</exception>
    public JsonNode? Render(JsonObject scope) => Render(scope, effects: null);

    /// <summary>
    /// As <see cref="Render(JsonObject)"/>; JavaScript expressions that write variables
    /// (<c>setVariable</c>) record the writes in <paramref name="effects"/>, or fail when it is null.
    /// </summary>
    public JsonNode? Render(JsonObject scope, Scripting.ScriptEffects? effects)
    {
        ArgumentNullException.ThrowIfNull(scope);
        return _root.Render(scope, effects);
    }
}
