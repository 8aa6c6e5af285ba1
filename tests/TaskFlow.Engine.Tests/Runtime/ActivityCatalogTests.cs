using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Validation;
using TaskFlow.Engine.Activities;
using TaskFlow.Engine.Tests.Infrastructure;

namespace TaskFlow.Engine.Tests.Runtime;

public sealed class ActivityCatalogTests
{
    private const string GreetDescription = "Greets someone by name, as many times as asked.";

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Descriptors_CustomActivityRegistered_ListedWithCategoryDescriptionAndInputSchema(string provider)
    {
        await using var engine = await StartWithGreetAsync(provider);

        Assert.True(engine.Runtime.Catalog.Descriptors.TryGetValue("test.greet", out var descriptor), "test.greet is not in the catalog.");
        Assert.Equal(("Test", GreetDescription), (descriptor.Category, descriptor.Description));
        Assert.Equal([ActivityDescriptor.DefaultOutcome], descriptor.Outcomes);
        Assert.True(engine.Runtime.Catalog.TryGet("test.greet", out var registration));
        Assert.Equal(typeof(GreetActivity), registration.Implementation);

        var schema = descriptor.InputSchema();
        Assert.Equal("object", schema["type"]!.GetValue<string>());
        var properties = schema["properties"]!.AsObject();
        Assert.Equal(["name", "times"], properties.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal("string", properties["name"]!["type"]!.GetValue<string>());
        Assert.Equal("integer", properties["times"]!["type"]!.GetValue<string>());
        Assert.Equal("How many times to greet; once when left out.", properties["times"]!["description"]!.GetValue<string>());
        Assert.Equal(["name"], schema["required"]!.AsArray().Select(n => n!.GetValue<string>()));
    }

    // hello(test.greet { name: input.who, times: 2 }) ──> once(test.greet { name: "Bob" })
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task StartAsync_WorkflowUsingCustomActivity_OutputsWhatTheActivityReturned(string provider)
    {
        await using var engine = await StartWithGreetAsync(provider);

        var view = await engine.RunAsync("""
            {
              "id": "greeting",
              "inputs": { "who": { "type": "string", "required": true } },
              "nodes": [
                { "id": "hello", "type": "test.greet", "inputs": { "name": "{{ input.who }}", "times": 2 } },
                { "id": "once", "type": "test.greet", "inputs": { "name": "Bob" } }
              ],
              "edges": [ { "from": "hello", "to": "once" } ],
              "output": { "hello": "{{ nodes.hello.output.greeting }}", "once": "{{ nodes.once.output.greeting }}" }
            }
            """, new JsonObject { ["who"] = "Ada" }, TimeSpan.FromSeconds(10));

        view.AssertSucceeded();
        Assert.Equal("Hello, Ada! Hello, Ada!", view.Output!["hello"]!.GetValue<string>());
        Assert.Equal("Hello, Bob!", view.Output!["once"]!.GetValue<string>());
    }

    // hello(test.greet { times: 2 }), without the required name
    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task SaveDefinitionAsync_CustomActivityWithoutRequiredInput_FailsValidation(string provider)
    {
        await using var engine = await StartWithGreetAsync(provider);
        const string json = """
            { "id": "nameless", "nodes": [ { "id": "hello", "type": "test.greet", "inputs": { "times": 2 } } ], "edges": [] }
            """;

        var error = await Assert.ThrowsAsync<WorkflowValidationException>(() => engine.Runtime.SaveDefinitionAsync(json));

        var problem = Assert.Single(error.Problems);
        Assert.Equal(("node.input.missing", "node 'hello'"), (problem.Code, problem.Target));
        Assert.Equal("Node 'hello' (test.greet) is missing required input 'name'.", problem.Message);
        Assert.Null(await engine.Runtime.GetDefinitionAsync("nameless"));
    }

    [Theory]
    [MemberData(nameof(TestEngine.Providers), MemberType = typeof(TestEngine))]
    public async Task Descriptors_DefaultEngine_ContainsEveryBuiltInType(string provider)
    {
        await using var engine = await TestEngine.StartAsync(provider);

        var descriptors = engine.Runtime.Catalog.Descriptors;

        Assert.Subset(descriptors.Keys.ToHashSet(), new HashSet<string> { "noop", "fail", "delay", "join", "foreach", "workflow", "transform", "sleep" });
        Assert.All(BuiltInActivities.Descriptors, builtIn => Assert.Equal(builtIn, descriptors[builtIn.Type]));
        Assert.DoesNotContain("test.greet", descriptors.Keys);
    }

    private static Task<TestEngine> StartWithGreetAsync(string provider) =>
        TestEngine.StartAsync(provider, activities: b => b.AddActivity<GreetActivity>());

    [Activity("test.greet", Category = "Test", Description = GreetDescription)]
    private sealed class GreetActivity : Activity<GreetInputs>
    {
        protected override ValueTask<ActivityResult> ExecuteAsync(GreetInputs inputs, ActivityContext context) =>
            ValueTask.FromResult(ActivityResult.Succeeded(new JsonObject
            {
                ["greeting"] = string.Join(" ", Enumerable.Repeat($"Hello, {inputs.Name}!", inputs.Times)),
            }));
    }

    private sealed class GreetInputs
    {
        [Required]
        public string Name { get; set; } = "";

        [Description("How many times to greet; once when left out.")]
        public int Times { get; set; } = 1;
    }
}
