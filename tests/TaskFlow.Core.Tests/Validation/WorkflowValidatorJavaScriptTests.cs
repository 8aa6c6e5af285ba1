using TaskFlow.Core.Activities;
using TaskFlow.Core.Model;
using TaskFlow.Core.Validation;

namespace TaskFlow.Core.Tests.Validation;

// JavaScript expressions ({ "js": ... }) and the javascript activity are checked when a definition is saved.
public class WorkflowValidatorJavaScriptTests
{
    private static readonly Dictionary<string, ActivityDescriptor> Catalog = BuiltInActivities.Descriptors.ToDictionary(d => d.Type);

    private static IReadOnlyList<ValidationProblem> Validate(string json) =>
        new WorkflowValidator(Catalog, new WorkflowLimits(), null).Validate(json, out _);

    //   a (transform, js inputs) ──[js condition]──> b (javascript)
    [Fact]
    public void Validate_ValidJavaScriptEverywhere_ReturnsNoProblems()
    {
        const string json = """
            { "id": "wf",
              "nodes": [
                { "id": "a", "type": "transform", "inputs": { "value": { "total": { "js": "input.items.reduce((s, i) => s + i.price, 0)" } } } },
                { "id": "b", "type": "javascript", "inputs": { "script": "setVariable('seen', true); ({ ok: true, text: '{{ not a template }}' })" } },
                { "id": "c", "type": "log", "inputs": { "message": { "js": "'total ' + getOutputFrom('a').total" } } } ],
              "edges": [ { "from": "a", "to": "b", "condition": { "js": "output.total > 1000 && getVariable('kind') == 'a'" } }, { "from": "b", "to": "c" } ],
              "output": { "js": "nodes.b.output" } }
            """;

        Assert.Empty(Validate(json));
    }

    [Fact]
    public void Validate_JavaScriptSyntaxErrorInInput_NamesNodeInputAndPosition()
    {
        const string json = """
            { "id": "wf", "nodes": [ { "id": "a", "type": "transform", "inputs": { "value": { "x": [ { "js": "input.a +* 2" } ] } } } ] }
            """;

        var problem = Assert.Single(Validate(json));

        Assert.Equal("node.input.template", problem.Code);
        Assert.Equal("node 'a'", problem.Target);
        Assert.Equal("Node 'a' input 'value.x[0]' has a template error: JavaScript syntax error: Unexpected token '*' at column 10 in 'input.a +* 2'.", problem.Message);
    }

    [Fact]
    public void Validate_JavaScriptActivitySyntaxError_NamesTheScript()
    {
        const string json = """
            { "id": "wf", "nodes": [ { "id": "run", "type": "javascript", "inputs": { "script": "let x = 1;\nif (x > { }" } } ] }
            """;

        var problem = Assert.Single(Validate(json));

        Assert.Equal("node.input.template", problem.Code);
        Assert.StartsWith("Node 'run' input 'script' has a template error: JavaScript syntax error: ", problem.Message, StringComparison.Ordinal);
        Assert.Contains("(line 2, column", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_JavaScriptActivityWithoutScript_IsMissingAnInput()
    {
        var problem = Assert.Single(Validate("""{ "id": "wf", "nodes": [ { "id": "run", "type": "javascript" } ] }"""));

        Assert.Equal("node.input.missing", problem.Code);
    }

    [Fact]
    public void Validate_JavaScriptConditionSyntaxError_NamesTheEdge()
    {
        //   a ──[js: output.x >]──> b
        const string json = """
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" } ],
              "edges": [ { "id": "go", "from": "a", "to": "b", "condition": { "js": "output.x >" } } ] }
            """;

        var problem = Assert.Single(Validate(json));

        Assert.Equal("edge.condition.invalid", problem.Code);
        Assert.Equal("edge 'go'", problem.Target);
        Assert.StartsWith("Edge 'go' has an invalid condition: JavaScript syntax error: Unexpected end of input at column 11", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ConditionOfAnotherShape_SaysWhatIsExpected()
    {
        const string json = """
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" } ],
              "edges": [ { "from": "a", "to": "b", "condition": { "javascript": "true" } } ] }
            """;

        var problem = Assert.Single(Validate(json));

        Assert.Equal("edge.condition.invalid", problem.Code);
        Assert.Contains("Expected an expression string or { \"js\": \"...\" }", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_JavaScriptSyntaxErrorInOutput_IsAnOutputProblem()
    {
        const string json = """
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop" } ], "output": { "total": { "js": "nodes.a.output +" } } }
            """;

        var problem = Assert.Single(Validate(json));

        Assert.Equal("output.template", problem.Code);
        Assert.Contains("'output.total'", problem.Message, StringComparison.Ordinal);
        Assert.Contains("JavaScript syntax error", problem.Message, StringComparison.Ordinal);
    }
}
