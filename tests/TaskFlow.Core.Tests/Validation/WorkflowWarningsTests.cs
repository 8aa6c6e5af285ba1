using TaskFlow.Core.Activities;
using TaskFlow.Core.Serialization;
using TaskFlow.Core.Validation;

namespace TaskFlow.Core.Tests.Validation;

/// <summary>Warnings: what a definition allows but probably does not mean. They never make it invalid.</summary>
public sealed class WorkflowWarningsTests
{
    private static readonly WorkflowValidator Validator = new(BuiltInActivities.Descriptors.ToDictionary(d => d.Type), new WorkflowLimits());

    private static IReadOnlyList<ValidationProblem> Warnings(string json) =>
        Validator.Warnings(WorkflowJson.TryParse(json, out var problem) ?? throw new InvalidOperationException(problem!.Message));

    [Fact]
    public void HttpRespond_WithoutAnHttpTrigger_IsAWarningNamingTheNode_WithOneItIsNot()
    {
        const string untriggered = """{ "id": "wf", "nodes": [ { "id": "answer", "type": "http.respond", "inputs": { "status": 200 } } ] }""";
        const string triggered = """{ "id": "wf", "triggers": [ { "type": "http", "path": "hook" } ], "nodes": [ { "id": "answer", "type": "http.respond", "inputs": { "status": 200 } } ] }""";

        var warning = Assert.Single(Warnings(untriggered));
        Assert.Equal(("node.http.respond.untriggered", "node 'answer'"), (warning.Code, warning.Target));
        Assert.Contains("no http trigger", warning.Message, StringComparison.Ordinal);
        Assert.Empty(Warnings(triggered));
    }

    [Fact]
    public void DeprecatedWorkspaceSpellings_AreWarnings_TheNodePolicyWithModeIsNot()
    {
        var isolation = Assert.Single(Warnings("""{ "id": "wf", "nodes": [ { "id": "run", "type": "exec", "inputs": { "command": "true" }, "workspace": { "isolation": "process" } } ] }"""));
        Assert.Equal("node.workspace.deprecated", isolation.Code);
        Assert.Contains("write 'mode'", isolation.Message, StringComparison.Ordinal);

        var inputs = Assert.Single(Warnings("""{ "id": "wf", "nodes": [ { "id": "run", "type": "exec", "inputs": { "command": "true", "workspace": { "isolation": "process" } } } ] }"""));
        Assert.Equal(("node.workspace.deprecated", "node 'run'"), (inputs.Code, inputs.Target));
        Assert.Contains("inputs.workspace", inputs.Message, StringComparison.Ordinal);

        Assert.Empty(Warnings("""{ "id": "wf", "nodes": [ { "id": "run", "type": "exec", "inputs": { "command": "true" }, "workspace": { "mode": "process" } } ] }"""));
    }
}
