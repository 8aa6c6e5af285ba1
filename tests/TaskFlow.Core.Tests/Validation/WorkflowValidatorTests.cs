using TaskFlow.Core.Activities;
using TaskFlow.Core.Model;
using TaskFlow.Core.Serialization;
using TaskFlow.Core.Validation;

namespace TaskFlow.Core.Tests.Validation;

public class WorkflowValidatorTests
{
    private static readonly Dictionary<string, ActivityDescriptor> Catalog = BuiltInActivities.Descriptors.ToDictionary(d => d.Type);

    private static IReadOnlyList<ValidationProblem> Validate(string json, WorkflowLimits? limits = null, Func<string, WorkflowDefinition?>? resolve = null) =>
        new WorkflowValidator(Catalog, limits ?? new WorkflowLimits(), resolve).Validate(json, out _);

    private static ValidationProblem ValidateSingle(string json, WorkflowLimits? limits = null, Func<string, WorkflowDefinition?>? resolve = null) =>
        Assert.Single(Validate(json, limits, resolve));

    /// <summary>A definition holding one node of the given type and inputs, and nothing else.</summary>
    private static string OneNode(string type, string inputs = "{}", string extra = "") => $$"""
        { "id": "wf", "nodes": [ { "id": "a", "type": "{{type}}", "inputs": {{inputs}} {{extra}} } ] }
        """;

    //   start ──> fork ──> left ───> merge ──> finish
    //                 └──> right ──┘  (join, WaitAllActive)
    //   plus a cron trigger, retry, timeout, tier, workspace, inputs, variables and output
    [Fact]
    public void Validate_ValidDefinition_ReturnsNoProblems()
    {
        const string json = """
            {
              "id": "order-fulfilment",
              "name": "Order fulfilment",
              "inputs": { "orderId": { "type": "string", "required": true } },
              "variables": { "attempts": 0 },
              "nodes": [
                { "id": "start", "type": "noop" },
                { "id": "fork", "type": "transform", "inputs": { "value": "{{ input.orderId }}" } },
                { "id": "left", "type": "delay", "inputs": { "duration": "30s" }, "timeout": "5m", "tier": 1 },
                { "id": "right", "type": "noop", "retry": { "maxAttempts": 3, "backoff": "fixed", "delay": "2s" },
                  "workspace": { "mode": "process", "scope": "instance" } },
                { "id": "merge", "type": "join", "inputs": { "mode": "WaitAllActive" } },
                { "id": "finish", "type": "foreach", "inputs": { "items": "{{ nodes.fork.output }}", "body": { "type": "noop" }, "maxParallelism": 2 } }
              ],
              "edges": [
                { "from": "start", "to": "fork" },
                { "from": "fork", "to": "left", "condition": "output != null" },
                { "from": "fork", "to": "right" },
                { "from": "left", "to": "merge" },
                { "from": "right", "to": "merge" },
                { "from": "merge", "to": "finish" }
              ],
              "triggers": [ { "type": "cron", "cron": "0 */5 * * *", "timeZone": "Europe/Berlin" }, { "type": "manual" } ],
              "output": { "items": "{{ nodes.finish.output }}" }
            }
            """;

        var problems = Validate(json);

        Assert.Empty(problems);
    }

    [Fact]
    public void Validate_MalformedJson_ReportsLineAndColumn()
    {
        const string json = "{\n  \"id\": \"wf\",\n  \"nodes\": [ { \"id\": \"a\" \"type\": \"noop\" } ]\n}";

        var validator = new WorkflowValidator(Catalog, new WorkflowLimits());
        var problems = validator.Validate(json, out var definition);

        Assert.Null(definition);
        var problem = Assert.Single(problems);
        Assert.Equal("json.malformed", problem.Code);
        Assert.StartsWith("$", problem.Target);
        // Column 26 is the opening quote of "type", the token where a comma was expected.
        Assert.Contains("line 3, column 26", problem.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n ")]
    public void Validate_EmptyDocument_ReportsEmpty(string json)
    {
        var problem = ValidateSingle(json);

        Assert.Equal("json.empty", problem.Code);
        Assert.Equal("$", problem.Target);
        Assert.Contains("empty", problem.Message);
    }

    [Fact]
    public void Validate_NullDocument_ReportsNull()
    {
        var problem = ValidateSingle("null");

        Assert.Equal("json.null", problem.Code);
        Assert.Equal("$", problem.Target);
        Assert.Contains("'null'", problem.Message);
    }

    [Fact]
    public void Validate_MissingId_ReportsIdMissing()
    {
        var problem = ValidateSingle("""{ "nodes": [ { "id": "a", "type": "noop" } ] }""");

        Assert.Equal("definition.id.missing", problem.Code);
        Assert.Equal("$.id", problem.Target);
        Assert.Contains("no id", problem.Message);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("-leading-dash")]
    [InlineData("slash/in/id")]
    public void Validate_InvalidId_ReportsIdInvalid(string id)
    {
        var problem = ValidateSingle($$"""{ "id": "{{id}}", "nodes": [ { "id": "a", "type": "noop" } ] }""");

        Assert.Equal("definition.id.invalid", problem.Code);
        Assert.Equal("$.id", problem.Target);
        Assert.Contains($"'{id}'", problem.Message);
        Assert.Contains("letters, digits", problem.Message);
    }

    [Fact]
    public void Validate_IdOf129Characters_ReportsIdInvalid()
    {
        var problem = ValidateSingle($$"""{ "id": "{{new string('x', 129)}}", "nodes": [ { "id": "a", "type": "noop" } ] }""");

        Assert.Equal("definition.id.invalid", problem.Code);
        Assert.Contains("at most 128 characters", problem.Message);
    }

    [Fact]
    public void Validate_NoNodes_ReportsDefinitionEmpty()
    {
        var problem = ValidateSingle("""{ "id": "wf", "nodes": [] }""");

        Assert.Equal("definition.empty", problem.Code);
        Assert.Equal("$.nodes", problem.Target);
        Assert.Contains("no nodes", problem.Message);
    }

    [Fact]
    public void Validate_UnknownActivityType_ListsKnownTypes()
    {
        var problem = ValidateSingle(OneNode("http.teleport"));

        Assert.Equal("node.type.unknown", problem.Code);
        Assert.Equal("node 'a'", problem.Target);
        Assert.Contains("'http.teleport'", problem.Message);
        Assert.All(Catalog.Keys, type => Assert.Contains(type, problem.Message));
    }

    [Fact]
    public void Validate_NodeWithoutType_ReportsTypeMissing()
    {
        var problem = ValidateSingle("""{ "id": "wf", "nodes": [ { "id": "a" } ] }""");

        Assert.Equal("node.type.missing", problem.Code);
        Assert.Equal("node 'a'", problem.Target);
        Assert.Contains("no activity type", problem.Message);
    }

    [Fact]
    public void Validate_FailWithoutMessage_ReportsMissingInput()
    {
        var problem = ValidateSingle(OneNode("fail"));

        Assert.Equal("node.input.missing", problem.Code);
        Assert.Equal("node 'a'", problem.Target);
        Assert.Contains("(fail)", problem.Message);
        Assert.Contains("required input 'message'", problem.Message);
    }

    [Fact]
    public void Validate_WorkflowWithoutDefinitionId_ReportsMissingInput()
    {
        var problem = ValidateSingle(OneNode("workflow", """{ "input": {} }"""));

        Assert.Equal("node.input.missing", problem.Code);
        Assert.Equal("node 'a'", problem.Target);
        Assert.Contains("required input 'definitionId'", problem.Message);
    }

    [Fact]
    public void Validate_RequiredInputExplicitlyNull_ReportsMissingInput()
    {
        var problem = ValidateSingle(OneNode("fail", """{ "message": null }"""));

        Assert.Equal("node.input.missing", problem.Code);
        Assert.Contains("'message'", problem.Message);
    }

    [Fact]
    public void Validate_UnknownInput_NamesItAndListsAcceptedInputs()
    {
        var problem = ValidateSingle(OneNode("fail", """{ "message": "x", "colour": "red" }"""));

        Assert.Equal("node.input.unknown", problem.Code);
        Assert.Equal("node 'a'", problem.Target);
        Assert.Contains("unknown input 'colour'", problem.Message);
        Assert.Contains("accepts message", problem.Message);
    }

    [Fact]
    public void Validate_InputOnActivityWithoutInputs_SaysItAcceptsNone()
    {
        var problem = ValidateSingle(OneNode("noop", """{ "x": 1 }"""));

        Assert.Equal("node.input.unknown", problem.Code);
        Assert.Contains("no inputs", problem.Message);
    }

    [Theory]
    [InlineData("fail", """{ "message": 42 }""", "'message' must be a string, not number")]
    [InlineData("foreach", """{ "items": "{{ input.x }}", "body": { "type": "noop" }, "maxParallelism": 1.5 }""", "'maxParallelism' must be an integer, not number")]
    [InlineData("foreach", """{ "items": {}, "body": { "type": "noop" } }""", "'items' must be an array, not object")]
    [InlineData("workflow", """{ "definitionId": "child", "input": [1] }""", "'input' must be an object, not array")]
    public void Validate_WrongLiteralInputType_ReportsInputType(string type, string inputs, string expected)
    {
        var problem = ValidateSingle(OneNode(type, inputs));

        Assert.Equal("node.input.type", problem.Code);
        Assert.Equal("node 'a'", problem.Target);
        Assert.Contains(expected, problem.Message);
    }

    [Fact]
    public void Validate_TemplateInPlaceOfTypedInput_IsAccepted()
    {
        var problems = Validate(OneNode("foreach", """{ "items": "{{ input.list }}", "body": { "type": "noop" }, "maxParallelism": "{{ input.n }}" }"""));

        Assert.Empty(problems);
    }

    [Fact]
    public void Validate_TemplateSyntaxErrorInInput_NamesNodeAndInput()
    {
        var problem = ValidateSingle(OneNode("fail", """{ "message": "Order {{ input.id + }} failed" }"""));

        Assert.Equal("node.input.template", problem.Code);
        Assert.Equal("node 'a'", problem.Target);
        Assert.Contains("Node 'a' input 'message'", problem.Message);
        Assert.Contains("template error", problem.Message);
        Assert.Contains("column", problem.Message);
    }

    [Fact]
    public void Validate_TemplateSyntaxErrorInNestedInput_NamesThePath()
    {
        var problem = ValidateSingle(OneNode("workflow", """{ "definitionId": "child", "input": { "user": { "name": "{{ input.name" } } }"""));

        Assert.Equal("node.input.template", problem.Code);
        Assert.Contains("input 'input.user.name'", problem.Message);
    }

    [Fact]
    public void Validate_InvalidJoinMode_ListsAllowedValues()
    {
        //   a ──> j (join, mode "WaitSome")
        //   b ──┘
        const string json = """
            { "id": "wf",
              "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" },
                         { "id": "j", "type": "join", "inputs": { "mode": "WaitSome" } } ],
              "edges": [ { "from": "a", "to": "j" }, { "from": "b", "to": "j" } ] }
            """;

        var problem = ValidateSingle(json);

        Assert.Equal("node.input.value", problem.Code);
        Assert.Equal("node 'j'", problem.Target);
        Assert.Contains("'mode' is 'WaitSome'", problem.Message);
        Assert.Contains("WaitAll, WaitAllActive, WaitAny", problem.Message);
    }

    [Fact]
    public void Validate_TemplatedJoinMode_ReportsInputValue()
    {
        //   a ──> j (join, mode "{{ input.mode }}")
        //   b ──┘
        // The mode is read when the graph is compiled, so a template could never be rendered.
        const string json = """
            { "id": "wf",
              "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" },
                         { "id": "j", "type": "join", "inputs": { "mode": "{{ input.mode }}" } } ],
              "edges": [ { "from": "a", "to": "j" }, { "from": "b", "to": "j" } ] }
            """;

        var problem = ValidateSingle(json);

        Assert.Equal("node.input.value", problem.Code);
        Assert.Equal("node 'j'", problem.Target);
        Assert.Contains("'mode' is a template", problem.Message);
    }

    [Fact]
    public void Validate_TemplateSyntaxErrorInOutput_ReportsOutputTemplate()
    {
        var problem = ValidateSingle("""
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop" } ], "output": { "ok": "{{ nodes.a.output }}", "bad": ["{{ nodes.a. }}"] } }
            """);

        Assert.Equal("output.template", problem.Code);
        Assert.Equal("$.output", problem.Target);
        Assert.Contains("'output.bad[0]' has a template error", problem.Message);
        Assert.Contains("Expected a member name", problem.Message);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{ "duration": "5s", "until": "2030-01-01T00:00:00Z" }""")]
    public void Validate_DelayWithoutExactlyOneOfDurationOrUntil_ReportsMissingInput(string inputs)
    {
        var problem = ValidateSingle(OneNode("delay", inputs));

        Assert.Equal("node.input.missing", problem.Code);
        Assert.Equal("node 'a'", problem.Target);
        Assert.Contains("exactly one of 'duration' or 'until'", problem.Message);
    }

    [Fact]
    public void Validate_DelayWithBadDuration_ReportsInputValue()
    {
        var problem = ValidateSingle(OneNode("delay", """{ "duration": "5 parsecs" }"""));

        Assert.Equal("node.input.value", problem.Code);
        Assert.Equal("node 'a'", problem.Target);
        Assert.Contains("'5 parsecs'", problem.Message);
        Assert.Contains("not a duration", problem.Message);
    }

    [Fact]
    public void Validate_DelayWithTemplatedDuration_IsAccepted()
    {
        Assert.Empty(Validate(OneNode("delay", """{ "duration": "{{ input.wait }}" }""")));
    }

    [Fact]
    public void Validate_EdgeFromAndToUnknownNodes_ReportsBothEnds()
    {
        //   ghost ──> a ──> phantom      (ghost and phantom do not exist)
        const string json = """
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop" } ],
              "edges": [ { "from": "ghost", "to": "a" }, { "id": "out", "from": "a", "to": "phantom" } ] }
            """;

        var problems = Validate(json);

        Assert.Equal(2, problems.Count);
        Assert.Equal("edge.dangling.from", problems[0].Code);
        Assert.Equal("edge 'ghost->a'", problems[0].Target);
        Assert.Contains("starts at 'ghost'", problems[0].Message);
        Assert.Equal("edge.dangling.to", problems[1].Code);
        Assert.Equal("edge 'out'", problems[1].Target);
        Assert.Contains("ends at 'phantom'", problems[1].Message);
    }

    [Fact]
    public void Validate_EdgeFromUnknownPort_NamesThePortAndListsTheRealOnes()
    {
        //   a ─[dne]─> b
        const string json = """
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" } ],
              "edges": [ { "from": "a", "to": "b", "fromPort": "dne" } ] }
            """;

        var problem = ValidateSingle(json);

        Assert.Equal("edge.port.unknown", problem.Code);
        Assert.Equal("edge 'a->b'", problem.Target);
        Assert.Contains("port 'dne'", problem.Message);
        Assert.Contains("its ports are done, error", problem.Message);
    }

    [Fact]
    public void Validate_EdgeFromErrorPort_IsAccepted()
    {
        //   a ─[error]─> b
        var problems = Validate("""
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" } ],
              "edges": [ { "from": "a", "to": "b", "fromPort": "error" } ] }
            """);

        Assert.Empty(problems);
    }

    [Fact]
    public void Validate_DanglingEdge_SkipsGraphShapeChecks()
    {
        //   s ──> a <──> b        s ──> typo (no such node)
        // Documented: while an edge dangles, joins, fan-out and cycles are not checked.
        const string json = """
            { "id": "wf",
              "nodes": [ { "id": "s", "type": "noop" }, { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" } ],
              "edges": [ { "from": "s", "to": "a" }, { "from": "a", "to": "b" }, { "from": "b", "to": "a" }, { "from": "s", "to": "typo" } ] }
            """;

        var problem = ValidateSingle(json);

        Assert.Equal("edge.dangling.to", problem.Code);
    }

    [Fact]
    public void Validate_DuplicateNodeId_ReportsDuplicate()
    {
        const string json = """
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop" }, { "id": "a", "type": "fail", "inputs": { "message": "x" } } ] }
            """;

        var problem = ValidateSingle(json);

        Assert.Equal("node.id.duplicate", problem.Code);
        Assert.Equal("node 'a'", problem.Target);
        Assert.Contains("more than once", problem.Message);
    }

    [Fact]
    public void Validate_NodeWithoutId_ReportsItsPosition()
    {
        var problem = ValidateSingle("""{ "id": "wf", "nodes": [ { "id": "a", "type": "noop" }, { "type": "noop" } ] }""");

        Assert.Equal("node.id.missing", problem.Code);
        Assert.Equal("$.nodes[1]", problem.Target);
        Assert.Contains("Node #2", problem.Message);
    }

    [Fact]
    public void Validate_InvalidNodeId_ReportsNodeIdInvalid()
    {
        var problem = ValidateSingle("""{ "id": "wf", "nodes": [ { "id": "a b", "type": "noop" } ] }""");

        Assert.Equal("node.id.invalid", problem.Code);
        Assert.Equal("node 'a b'", problem.Target);
    }

    [Fact]
    public void Validate_DuplicateEdgeId_ReportsDuplicate()
    {
        //   a ──e1──> b ──e1──> c
        const string json = """
            { "id": "wf",
              "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" }, { "id": "c", "type": "noop" } ],
              "edges": [ { "id": "e1", "from": "a", "to": "b" }, { "id": "e1", "from": "b", "to": "c" } ] }
            """;

        var problem = ValidateSingle(json);

        Assert.Equal("edge.id.duplicate", problem.Code);
        Assert.Equal("edge 'e1'", problem.Target);
        Assert.Contains("'e1' is used more than once", problem.Message);
    }

    [Fact]
    public void Validate_SameEdgeTwice_ReportsEdgeDuplicate()
    {
        //   a ══> b   (two identical edges)
        const string json = """
            { "id": "wf",
              "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" } ],
              "edges": [ { "from": "a", "to": "b" }, { "from": "a", "to": "b", "fromPort": "done" } ] }
            """;

        var problem = ValidateSingle(json);

        Assert.Equal("edge.duplicate", problem.Code);
        Assert.Equal("edge 'a->b'", problem.Target);
        Assert.Contains("same nodes and port", problem.Message);
    }

    [Fact]
    public void Validate_SelfLoop_ReportsCycleOnTheEdge()
    {
        //   a ──> a
        const string json = """
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop" }, { "id": "s", "type": "noop" } ],
              "edges": [ { "from": "s", "to": "a" }, { "from": "a", "to": "a" } ] }
            """;

        var problem = ValidateSingle(json);

        Assert.Equal("graph.cycle", problem.Code);
        Assert.Equal("edge 'a->a'", problem.Target);
        Assert.Contains("loops from 'a' to itself", problem.Message);
    }

    [Fact]
    public void Validate_ThreeNodeCycle_ShowsThePath()
    {
        //   s ──> a ──> b ──> c
        //         ^           │
        //         └───────────┘
        const string json = """
            { "id": "wf",
              "nodes": [ { "id": "s", "type": "noop" }, { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" }, { "id": "c", "type": "noop" } ],
              "edges": [ { "from": "s", "to": "a" }, { "from": "a", "to": "b" }, { "from": "b", "to": "c" }, { "from": "c", "to": "a" } ] }
            """;

        var problem = ValidateSingle(json);

        Assert.Equal("graph.cycle", problem.Code);
        Assert.Equal("node 'a'", problem.Target);
        Assert.Contains("Cycle a -> b -> c -> a", problem.Message);
    }

    [Fact]
    public void Validate_CycleWithInnerShortcut_ShowsARealCycle()
    {
        //   s ──> a ──> b ──> c ──> d
        //         ^     ^     │     │
        //         │     └─────┘     │
        //         └─────────────────┘
        // Walking from a and always preferring the smallest id goes a, b, c and then back to b:
        // the path shown must still close with an edge that exists.
        const string json = """
            { "id": "wf",
              "nodes": [ { "id": "s", "type": "noop" }, { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" },
                         { "id": "c", "type": "noop" }, { "id": "d", "type": "noop" } ],
              "edges": [ { "from": "s", "to": "a" }, { "from": "a", "to": "b" }, { "from": "b", "to": "c" },
                         { "from": "c", "to": "b" }, { "from": "c", "to": "d" }, { "from": "d", "to": "a" } ] }
            """;

        var problem = ValidateSingle(json);

        Assert.Equal("graph.cycle", problem.Code);
        Assert.Equal("node 'a'", problem.Target);
        Assert.Contains("Cycle a -> b -> c -> d -> a", problem.Message);
    }

    [Fact]
    public void Validate_TwoSeparateCycles_ReportsEach()
    {
        //   s ──> a <──> b        s ──> x <──> y
        const string json = """
            { "id": "wf",
              "nodes": [ { "id": "s", "type": "noop" }, { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" },
                         { "id": "x", "type": "noop" }, { "id": "y", "type": "noop" } ],
              "edges": [ { "from": "s", "to": "a" }, { "from": "a", "to": "b" }, { "from": "b", "to": "a" },
                         { "from": "s", "to": "x" }, { "from": "x", "to": "y" }, { "from": "y", "to": "x" } ] }
            """;

        var problems = Validate(json);

        Assert.Equal(["graph.cycle", "graph.cycle"], problems.Select(p => p.Code));
        Assert.Contains(problems, p => p.Message.Contains("Cycle a -> b -> a"));
        Assert.Contains(problems, p => p.Message.Contains("Cycle x -> y -> x"));
    }

    [Fact]
    public void Validate_EveryNodeHasInboundEdges_ReportsNoStart()
    {
        //   a <──> b
        const string json = """
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" } ],
              "edges": [ { "from": "a", "to": "b" }, { "from": "b", "to": "a" } ] }
            """;

        var problems = Validate(json);

        Assert.Equal(["graph.cycle", "graph.no-start"], problems.Select(p => p.Code));
        Assert.Equal("$.nodes", problems[1].Target);
        Assert.Contains("nowhere to start", problems[1].Message);
    }

    [Fact]
    public void Validate_JoinWithOneInboundEdge_ReportsJoinInbound()
    {
        //   a ──> j (join)
        const string json = """
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop" }, { "id": "j", "type": "join" } ],
              "edges": [ { "from": "a", "to": "j" } ] }
            """;

        var problem = ValidateSingle(json);

        Assert.Equal("join.inbound", problem.Code);
        Assert.Equal("node 'j'", problem.Target);
        Assert.Contains("has 1 inbound edge;", problem.Message);
        Assert.Contains("at least two", problem.Message);
    }

    [Fact]
    public void Validate_FanOutAboveMaxSubtasks_ReportsLimit()
    {
        //        ┌──> b1
        //        ├──> b2
        //   a ───┼──> b3
        //        └──> b4      (MaxSubtasks = 3)
        const string json = """
            { "id": "wf",
              "nodes": [ { "id": "a", "type": "noop" }, { "id": "b1", "type": "noop" }, { "id": "b2", "type": "noop" },
                         { "id": "b3", "type": "noop" }, { "id": "b4", "type": "noop" } ],
              "edges": [ { "from": "a", "to": "b1" }, { "from": "a", "to": "b2" }, { "from": "a", "to": "b3" }, { "from": "a", "to": "b4" } ] }
            """;

        var problem = ValidateSingle(json, new WorkflowLimits { MaxSubtasks = 3 });

        Assert.Equal("limit.fan-out", problem.Code);
        Assert.Equal("node 'a'", problem.Target);
        Assert.Contains("fans out to 4 branches", problem.Message);
        Assert.Contains("max_subtasks (3)", problem.Message);
    }

    [Fact]
    public void Validate_FanOutAtMaxSubtasks_IsAccepted()
    {
        //   a ──> b1, b2, b3      (MaxSubtasks = 3)
        const string json = """
            { "id": "wf",
              "nodes": [ { "id": "a", "type": "noop" }, { "id": "b1", "type": "noop" }, { "id": "b2", "type": "noop" }, { "id": "b3", "type": "noop" } ],
              "edges": [ { "from": "a", "to": "b1" }, { "from": "a", "to": "b2" }, { "from": "a", "to": "b3" } ] }
            """;

        Assert.Empty(Validate(json, new WorkflowLimits { MaxSubtasks = 3 }));
    }

    [Fact]
    public void Validate_MoreNodesThanMaxNodes_ReportsTooLarge()
    {
        const string json = """{ "id": "wf", "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" } ] }""";

        var problem = ValidateSingle(json, new WorkflowLimits { MaxNodes = 1 });

        Assert.Equal("definition.too-large", problem.Code);
        Assert.Contains("2 nodes, more than the limit of 1", problem.Message);
    }

    [Fact]
    public void Validate_NestingDeeperThanMaxDepth_ReportsDepthLimit()
    {
        //   wf ──runs──> c1 ──runs──> c2 ──runs──> c3      (MaxDepth = 2)
        var children = new Dictionary<string, WorkflowDefinition>
        {
            ["c1"] = WorkflowJson.Parse(RunsChild("c1", "c2")),
            ["c2"] = WorkflowJson.Parse(RunsChild("c2", "c3")),
            ["c3"] = WorkflowJson.Parse("""{ "id": "c3", "nodes": [ { "id": "leaf", "type": "noop" } ] }"""),
        };

        var problem = ValidateSingle(RunsChild("wf", "c1"), new WorkflowLimits { MaxDepth = 2 }, children.GetValueOrDefault);

        Assert.Equal("limit.depth", problem.Code);
        Assert.Equal("node 'run'", problem.Target);
        Assert.Contains("3 levels deep through 'c1'", problem.Message);
        Assert.Contains("max_depth (2)", problem.Message);
    }

    [Fact]
    public void Validate_NestingAtMaxDepth_IsAccepted()
    {
        //   wf ──runs──> c1 ──runs──> c2      (MaxDepth = 2)
        var children = new Dictionary<string, WorkflowDefinition>
        {
            ["c1"] = WorkflowJson.Parse(RunsChild("c1", "c2")),
            ["c2"] = WorkflowJson.Parse("""{ "id": "c2", "nodes": [ { "id": "leaf", "type": "noop" } ] }"""),
        };

        Assert.Empty(Validate(RunsChild("wf", "c1"), new WorkflowLimits { MaxDepth = 2 }, children.GetValueOrDefault));
    }

    [Fact]
    public void Validate_SelfRecursion_IsLeftToTheRuntime()
    {
        //   wf ──runs──> wf      (bounded at run time by max depth)
        Assert.Empty(Validate(RunsChild("wf", "wf"), new WorkflowLimits { MaxDepth = 1 }, _ => null));
    }

    [Fact]
    public void Validate_UnknownChildWorkflow_ReportsWorkflowUnknown()
    {
        var problem = ValidateSingle(RunsChild("wf", "nowhere"), resolve: _ => null);

        Assert.Equal("workflow.unknown", problem.Code);
        Assert.Equal("node 'run'", problem.Target);
        Assert.Contains("runs workflow 'nowhere', which is not stored", problem.Message);
    }

    [Theory]
    [InlineData("\"soon\"", "'soon'")]
    [InlineData("\"0s\"", "'0s'")]
    [InlineData("\"-5\"", "'-5'")]
    [InlineData("\"NaN\"", "'NaN'")]
    [InlineData("\"99999999999999999d\"", "'99999999999999999d'")]
    public void Validate_InvalidTimeout_ReportsTimeoutInvalid(string timeout, string quoted)
    {
        var problem = ValidateSingle(OneNode("noop", extra: $", \"timeout\": {timeout}"));

        Assert.Equal("node.timeout.invalid", problem.Code);
        Assert.Equal("node 'a'", problem.Target);
        Assert.Contains($"timeout {quoted}", problem.Message);
        Assert.Contains("not a positive duration", problem.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    public void Validate_TierOutOfRange_ReportsTierInvalid(int tier)
    {
        var problem = ValidateSingle(OneNode("noop", extra: $", \"tier\": {tier}"));

        Assert.Equal("node.tier.invalid", problem.Code);
        Assert.Equal("node 'a'", problem.Target);
        Assert.Contains($"tier {tier}", problem.Message);
        Assert.Contains("1 (critical) to 4 (support)", problem.Message);
    }

    [Theory]
    [InlineData("""{ "maxAttempts": 0 }""", "retry.maxAttempts 0")]
    [InlineData("""{ "maxAttempts": 101 }""", "retry.maxAttempts 101")]
    [InlineData("""{ "backoff": "linear" }""", "retry.backoff 'linear'")]
    [InlineData("""{ "delay": "soon" }""", "retry delay that is not a duration ('soon', '5m')")]
    [InlineData("""{ "maxDelay": "later" }""", "retry delay that is not a duration ('1s', 'later')")]
    [InlineData("""{ "factor": 0.5 }""", "retry.factor 0.5")]
    public void Validate_RetryInvalid_ReportsRetryInvalid(string retry, string expected)
    {
        var problem = ValidateSingle(OneNode("noop", extra: $", \"retry\": {retry}"));

        Assert.Equal("node.retry.invalid", problem.Code);
        Assert.Equal("node 'a'", problem.Target);
        Assert.Contains(expected, problem.Message);
    }

    [Theory]
    [InlineData("""{ "mode": "chroot" }""", "workspace mode 'chroot'")]
    [InlineData("""{ "mode": "container", "scope": "cluster" }""", "workspace scope 'cluster'")]
    [InlineData("""{ "mode": "process", "imge": "alpine:3.20" }""", "unknown workspace member 'imge'")]
    [InlineData("""{ "mode": "process", "limits": { "memory": "64m", "cpu": 1 } }""", "unknown workspace limit 'cpu'")]
    public void Validate_WorkspaceInvalid_ReportsWorkspaceInvalid(string workspace, string expected)
    {
        var problem = ValidateSingle(OneNode("noop", extra: $", \"workspace\": {workspace}"));

        Assert.Equal("node.workspace.invalid", problem.Code);
        Assert.Equal("node 'a'", problem.Target);
        Assert.Contains(expected, problem.Message);
    }

    [Fact]
    public void Validate_WorkspaceWithEveryKnownMember_IsValid()
    {
        var problems = Validate(OneNode("noop", extra: """, "workspace": { "mode": "process", "scope": "instance", "image": "alpine:3.20", "cleanup": "lazy", "limits": { "memory": "64m", "cpus": 1, "pids": 32, "disk": "10m", "network": false } }"""));

        Assert.Empty(problems);
    }

    [Fact]
    public void Validate_CronWithFourFields_ReportsCronInvalid()
    {
        var problem = ValidateSingle("""
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop" } ], "triggers": [ { "type": "manual" }, { "type": "cron", "cron": "0 * * *" } ] }
            """);

        Assert.Equal("trigger.cron.invalid", problem.Code);
        Assert.Equal("trigger #2", problem.Target);
        Assert.Contains("cron '0 * * *'", problem.Message);
        Assert.Contains("five fields", problem.Message);
    }

    [Fact]
    public void Validate_CronWithoutExpression_ReportsCronInvalid()
    {
        var problem = ValidateSingle("""{ "id": "wf", "nodes": [ { "id": "a", "type": "noop" } ], "triggers": [ { "type": "cron" } ] }""");

        Assert.Equal("trigger.cron.invalid", problem.Code);
        Assert.Equal("trigger #1", problem.Target);
    }

    [Fact]
    public void Validate_UnknownTimeZone_ReportsTimeZoneUnknown()
    {
        var problem = ValidateSingle("""
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop" } ], "triggers": [ { "type": "cron", "cron": "0 0 * * *", "timeZone": "Mars/Olympus_Mons" } ] }
            """);

        Assert.Equal("trigger.timezone.unknown", problem.Code);
        Assert.Equal("trigger #1", problem.Target);
        Assert.Contains("unknown time zone 'Mars/Olympus_Mons'", problem.Message);
        Assert.Contains("IANA", problem.Message);
    }

    [Fact]
    public void Validate_UnknownTriggerType_ReportsTriggerTypeUnknown()
    {
        var problem = ValidateSingle("""{ "id": "wf", "nodes": [ { "id": "a", "type": "noop" } ], "triggers": [ { "type": "email" } ] }""");

        Assert.Equal("trigger.type.unknown", problem.Code);
        Assert.Equal("trigger #1", problem.Target);
        Assert.Contains("unknown type 'email'", problem.Message);
        Assert.Contains("use manual, cron or http", problem.Message);
    }

    [Fact]
    public void Validate_HookTrigger_ReportsTriggerTypeUnserved()
    {
        var problem = ValidateSingle("""{ "id": "wf", "nodes": [ { "id": "a", "type": "noop" } ], "triggers": [ { "type": "manual" }, { "type": "hook", "event": "PreToolUse" } ] }""");

        Assert.Equal("trigger.type.unserved", problem.Code);
        Assert.Equal("trigger #2", problem.Target);
        Assert.Contains("type 'hook', which nothing serves", problem.Message);
    }

    [Fact]
    public void Validate_HttpTrigger_IsAccepted()
    {
        var problems = Validate("""
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop" } ],
              "triggers": [ { "type": "http", "path": "orders/{id}/items", "methods": ["POST", "PUT"], "auth": "hmac", "secret": "shop", "wait": "30s" } ] }
            """);

        Assert.Empty(problems);
    }

    [Theory]
    [InlineData("""{ "type": "http" }""", "trigger.http.path", "has path '', which is not a route: it is empty")]
    [InlineData("""{ "type": "http", "path": "orders//x" }""", "trigger.http.path", "segment 2 is empty")]
    [InlineData("""{ "type": "http", "path": "orders/{id:int}" }""", "trigger.http.path", "segment '{id:int}' is not a parameter")]
    [InlineData("""{ "type": "http", "path": "orders/x{id}y" }""", "trigger.http.path", "segment 'x{id}y' has characters")]
    [InlineData("""{ "type": "http", "path": "a/{id}/{id}" }""", "trigger.http.path", "parameter 'id' appears twice")]
    [InlineData("""{ "type": "http", "path": "a", "methods": ["post"] }""", "trigger.http.method", "has method 'post'")]
    [InlineData("""{ "type": "http", "path": "a", "auth": "basic" }""", "trigger.http.auth", "has auth 'basic'")]
    [InlineData("""{ "type": "http", "path": "a", "auth": "hmac" }""", "trigger.http.secret", "has auth 'hmac' but no 'secret'")]
    [InlineData("""{ "type": "http", "path": "a", "secret": "s" }""", "trigger.http.secret", "without \"auth\": \"hmac\"")]
    [InlineData("""{ "type": "http", "path": "a", "wait": "soon" }""", "trigger.http.wait", "has wait 'soon'")]
    public void Validate_BadHttpTrigger_ReportsItNamingTheTrigger(string trigger, string code, string expected)
    {
        var problem = ValidateSingle($$"""{ "id": "wf", "nodes": [ { "id": "a", "type": "noop" } ], "triggers": [ { "type": "manual" }, {{trigger}} ] }""");

        Assert.Equal(code, problem.Code);
        Assert.Equal("trigger #2", problem.Target);
        Assert.Contains(expected, problem.Message);
    }

    [Fact]
    public void Validate_TwoTriggersOnOneRoute_ReportsDuplicateNamingTheFirst()
    {
        var problem = ValidateSingle("""
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop" } ],
              "triggers": [ { "type": "http", "path": "orders/{id}" }, { "type": "http", "path": "Orders/{orderId}", "methods": ["GET", "POST"] }, { "type": "http", "path": "orders/new" } ] }
            """);

        Assert.Equal("trigger.http.duplicate", problem.Code);
        Assert.Equal("trigger #2", problem.Target);
        Assert.Equal("Trigger #2 claims POST /workflows/Orders/{orderId}, which trigger #1 of this definition ('orders/{id}') already serves. Change the path or method, or delete the other definition first.", problem.Message);
    }

    [Fact]
    public void Validate_EdgeConditionSyntaxError_ReportsConditionInvalid()
    {
        //   a ──[output.x >]──> b
        const string json = """
            { "id": "wf", "nodes": [ { "id": "a", "type": "noop" }, { "id": "b", "type": "noop" } ],
              "edges": [ { "from": "a", "to": "b", "condition": "output.x >" } ] }
            """;

        var problem = ValidateSingle(json);

        Assert.Equal("edge.condition.invalid", problem.Code);
        Assert.Equal("edge 'a->b'", problem.Target);
        Assert.Contains("Edge 'a->b' has an invalid condition", problem.Message);
        Assert.Contains("output.x >", problem.Message);
    }

    [Fact]
    public void Validate_ForEachBodyWithUnknownType_ReportsTypeUnknown()
    {
        var problem = ValidateSingle(OneNode("foreach", """{ "items": [1], "body": { "type": "join" } }"""));

        Assert.Equal("node.type.unknown", problem.Code);
        Assert.Contains("body uses activity type 'join'", problem.Message);
    }

    [Fact]
    public void Validate_ForEachBodyMissingInput_ReportsMissingInput()
    {
        var problem = ValidateSingle(OneNode("foreach", """{ "items": [1], "body": { "type": "fail" } }"""));

        Assert.Equal("node.input.missing", problem.Code);
        Assert.Contains("'message'", problem.Message);
    }

    [Fact]
    public void Validate_ForEachWithZeroParallelism_ReportsInputValue()
    {
        var problem = ValidateSingle(OneNode("foreach", """{ "items": [1], "body": { "type": "noop" }, "maxParallelism": 0 }"""));

        Assert.Equal("node.input.value", problem.Code);
        Assert.Contains("maxParallelism 0", problem.Message);
    }

    [Fact]
    public void Validate_UnknownWorkflowInputType_ReportsInputTypeUnknown()
    {
        var problem = ValidateSingle("""{ "id": "wf", "inputs": { "n": { "type": "float" } }, "nodes": [ { "id": "a", "type": "noop" } ] }""");

        Assert.Equal("input.type.unknown", problem.Code);
        Assert.Equal("input 'n'", problem.Target);
        Assert.Contains("unknown type 'float'", problem.Message);
    }

    [Fact]
    public void Validate_SeveralProblems_ReturnsAllOfThem()
    {
        //   a ──[output >]──> b ──> j (join, one inbound)      plus a duplicate 'a', bad tier and trigger
        const string json = """
            { "id": "bad id",
              "nodes": [
                { "id": "a", "type": "noop", "tier": 9 },
                { "id": "a", "type": "noop" },
                { "id": "b", "type": "teleport", "timeout": "forever" },
                { "id": "j", "type": "join" }
              ],
              "edges": [ { "from": "a", "to": "b", "condition": "output >" }, { "from": "b", "to": "j" } ],
              "triggers": [ { "type": "email" } ] }
            """;

        var problems = Validate(json);

        Assert.Equal(
            [
                "definition.id.invalid",
                "node.tier.invalid",
                "node.id.duplicate",
                "node.type.unknown",
                "node.timeout.invalid",
                "edge.condition.invalid",
                "trigger.type.unknown",
                "join.inbound",
            ],
            problems.Select(p => p.Code));
    }

    [Fact]
    public void EnsureValid_InvalidDefinition_ThrowsWithEveryProblem()
    {
        var definition = WorkflowJson.Parse("""{ "id": "", "nodes": [] }""");
        var validator = new WorkflowValidator(Catalog, new WorkflowLimits());

        var ex = Assert.Throws<WorkflowValidationException>(() => validator.EnsureValid(definition));

        Assert.Equal(["definition.id.missing", "definition.empty"], ex.Problems.Select(p => p.Code));
        Assert.Contains("2 problems", ex.Message);
    }

    private static string RunsChild(string id, string childId) => $$"""
        { "id": "{{id}}", "nodes": [ { "id": "run", "type": "workflow", "inputs": { "definitionId": "{{childId}}" } } ] }
        """;
}
