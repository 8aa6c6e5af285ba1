using System.Text.Json.Nodes;
using CsCheck;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Decomposition;
using TaskFlow.Core.Model;
using TaskFlow.Core.Serialization;
using TaskFlow.Core.Templates;
using TaskFlow.Core.Validation;
using static TaskFlow.Core.Tests.Decomposition.DecompositionTestKit;

namespace TaskFlow.Core.Tests.Decomposition;

/// <summary>
/// Properties over random tasks: 1 to 50 explicit subtasks with random complexity, weight, group
/// and dependencies (each on some of the subtasks generated before it, listed in shuffled order),
/// some with nested-list descriptions that the recursive strategy decomposes again, under every
/// strategy, aggregation mode and threshold.
/// </summary>
/// <remarks>
/// The expected node count of one definition with n subtasks, by layout:
/// <list type="bullet">
/// <item>parallel: n + 2 + [e ≥ 2] (start, aggregate, and a join when e ≥ 2), e being the subtasks no other subtask depends on;</item>
/// <item>sequential: n + 1 (the aggregate);</item>
/// <item>hierarchical: 2 + Σ_g (m_g + 2 + [e_g ≥ 2]) + [ℓ ≥ 2]: start and the final aggregate; per group its fork, members,
///   aggregate and a join when e_g ≥ 2 of its m_g members have no dependent inside it; a final join when ℓ ≥ 2 groups
///   have no group waiting for them;</item>
/// <item>recursive: each definition as its own level's layout (a workflow node stands in for a subtask one for one), and
///   1 + (number of workflow nodes) definitions in all.</item>
/// </list>
/// </remarks>
public class TaskDecompositionPropertyTests
{
    private const int Iterations = 150;

    private static readonly string[] Groups = ["Backend", "Frontend", "Docs"];

    /// <summary>A description that may nest lists up to three levels, so that recursion stays within max_depth.</summary>
    private static readonly Gen<string> Description = Gen.Int[0, 4].Select(shape => shape switch
    {
        0 => "Do the work.",
        1 => "- write the code\n- write the tests",
        2 => "- build the API\n  - the handlers\n  - the storage\n- document it",
        3 => "- ship it\n  - build it\n    - compile\n    - link\n  - test it\n- announce it",
        _ => "First plan it, then build it, and finally ship it.",
    });

    private sealed record Spec(int Complexity, double Weight, int Group, int[] DependencyPicks, string Description);

    private sealed record Case(DecompositionTask Task, DecompositionOptions Options)
    {
        public override string ToString() =>
            $"{Options.Strategy}/{Options.Aggregation?.ToString() ?? "default"}/threshold {Options.RecursionThreshold}: " +
            string.Join("; ", Task.Subtasks.Select(s => $"{s.Id}(c{s.Complexity}, w{s.Weight:0.##}, g{s.Group}, deps {string.Join(",", s.Dependencies)})"));
    }

    private static readonly Gen<Spec> SpecGen =
        from complexity in Gen.Int[0, 100]
        from weight in Gen.Frequency((1, Gen.Const(0.0)), (4, Gen.Double[0.01, 10]))
        from grouped in Gen.Int[-3, 2]
        from picks in Gen.Int[0, 1000].Array[0, 3]
        from description in Description
        select new Spec(complexity, weight, grouped, picks, description);

    private static readonly Gen<Case> CaseGen =
        from specs in SpecGen.Array[1, 50]
        from prefix in Gen.OneOf("t", "step-", "Sub_", "9")
        from order in Gen.Int.Array[specs.Length]
        from strategy in Gen.Enum<DecompositionStrategy>()
        from aggregation in Gen.OneOf<AggregationMode?>(null, AggregationMode.Sequential, AggregationMode.Parallel, AggregationMode.Weighted)
        from threshold in Gen.Int[0, 100]
        select new Case(Build(specs, prefix, order), new DecompositionOptions { Strategy = strategy, Aggregation = aggregation, RecursionThreshold = threshold });

    private static DecompositionTask Build(Spec[] specs, string prefix, int[] order)
    {
        var subtasks = new Subtask[specs.Length];
        for (var i = 0; i < specs.Length; i++)
        {
            var spec = specs[i];
            subtasks[i] = new Subtask
            {
                Id = prefix + i,
                Description = spec.Description,
                Complexity = spec.Complexity,
                // At least one positive weight, so that weighted aggregation is always possible.
                Weight = i == 0 && spec.Weight == 0 ? 1 : spec.Weight,
                Group = spec.Group < 0 ? null : Groups[spec.Group],
                // Only on subtasks generated earlier: never a cycle.
                Dependencies = i == 0 ? [] : spec.DependencyPicks.Select(p => prefix + (p % i)).ToArray(),
            };
        }

        var shuffled = subtasks.Select((s, i) => (s, key: order[i])).OrderBy(p => p.key).ThenBy(p => p.s.Id, StringComparer.Ordinal).Select(p => p.s).ToArray();
        return new DecompositionTask { Id = "random.task", Description = "A random task.", Complexity = 100, Subtasks = shuffled };
    }

    [Fact]
    public void Decompose_RandomTask_ValidatesRespectsTheLimitsAndHasTheNodeCountOfItsLayout()
    {
        CaseGen.Sample(c =>
        {
            var limits = c.Options.Limits;
            var result = TaskDecomposition.Decompose(c.Task, c.Options);

            Assert.True(result.Succeeded, string.Join(" | ", result.Problems.Select(p => p.Message)));
            Assert.NotEqual(DecompositionStrategy.Auto, result.Strategy);
            Assert.Empty(result.Validate(Catalog, limits).Select(p => p.Message));
            Assert.Equal(c.Task.Subtasks.Select(s => s.Id).Order(StringComparer.Ordinal), LevelSubtasks(result.Root!).Select(s => s.Id).Order(StringComparer.Ordinal));

            var workflowNodes = 0;
            foreach (var definition in result.Definitions)
            {
                var subtasks = LevelSubtasks(definition);
                var depth = definition.Id.Count(ch => ch == '.') - 1;
                Assert.InRange(subtasks.Count, 1, limits.MaxSubtasks);
                Assert.InRange(depth, 0, limits.MaxDepth);
                Assert.All(subtasks, s => Assert.InRange(s.Complexity, 0, limits.MaxComplexity));
                workflowNodes += definition.Nodes.Count(n => n.Type == BuiltInActivities.Workflow);

                var layout = definition == result.Root && result.Strategy != DecompositionStrategy.Recursive ? result.Strategy : ExpectedLayout(subtasks);
                Assert.Equal(ExpectedNodeCount(layout, subtasks), definition.Nodes.Count);
                AssertGroupsFollowTheRule(definition, layout, subtasks);
            }

            Assert.Equal(1 + workflowNodes, result.Definitions.Count);
            if (result.Strategy != DecompositionStrategy.Recursive)
            {
                Assert.Single(result.Definitions);
            }

            if (c.Options.Strategy == DecompositionStrategy.Auto)
            {
                Assert.Equal(workflowNodes > 0 ? DecompositionStrategy.Recursive : ExpectedLayout(c.Task.Subtasks), result.Strategy);
            }

            // Deterministic: the same input gives the same JSON.
            Assert.Equal(Json(result), Json(TaskDecomposition.Decompose(c.Task, c.Options)));
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void Decompose_RandomWeightedTask_EveryAggregateGetsNormalisedProportionalWeights()
    {
        var weighted = CaseGen.Select(c => c with { Options = new DecompositionOptions { Strategy = c.Options.Strategy, RecursionThreshold = c.Options.RecursionThreshold, Aggregation = AggregationMode.Weighted } });

        weighted.Sample(c =>
        {
            var result = TaskDecomposition.Decompose(c.Task, c.Options);
            Assert.True(result.Succeeded, string.Join(" | ", result.Problems.Select(p => p.Message)));

            foreach (var definition in result.Definitions)
            {
                foreach (var aggregate in definition.Nodes.Where(n => n.Type == AggregateActivityDescriptor.Type))
                {
                    Assert.Equal("weighted", aggregate.Inputs["mode"]!.GetValue<string>());
                    var ids = ResultIds(definition, aggregate.Id);
                    var weights = Weights(definition, aggregate.Id);
                    Assert.Equal(ids.Length, weights.Length);
                    Assert.All(weights, w => Assert.True(w >= 0));
                    Assert.Equal(1.0, weights.Sum(), 9);

                    // Proportional to the raw weights: a subtask's own, a group's the sum of its members'.
                    var raw = ids.Select(id => RawWeight(definition, id)).ToArray();
                    var total = raw.Sum();
                    for (var i = 0; i < ids.Length; i++)
                    {
                        Assert.Equal(total > 0 ? raw[i] / total : 1.0 / ids.Length, weights[i], 12);
                    }
                }
            }
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void Decompose_RandomTask_RunsUnderTheSchedulingRulesWithEveryDependencyFirst()
    {
        CaseGen.Sample(c =>
        {
            var result = TaskDecomposition.Decompose(c.Task, c.Options);
            Assert.True(result.Succeeded, string.Join(" | ", result.Problems.Select(p => p.Message)));

            var (run, outcome) = ScheduledRun.Start(result);

            Assert.Equal(InstanceStatus.Succeeded, outcome.Status);
            Assert.Equal(result.Root!.Id + "/aggregate", run.Executed[^1]);
            foreach (var definition in result.Definitions)
            {
                var position = run.Executed.Select((node, i) => (node, i)).Where(p => p.node.StartsWith(definition.Id + "/", StringComparison.Ordinal))
                    .ToDictionary(p => p.node[(definition.Id.Length + 1)..], p => p.i);
                Assert.Equal(definition.Nodes.Count, position.Count);
                foreach (var subtask in LevelSubtasks(definition))
                {
                    Assert.All(subtask.Dependencies, d => Assert.True(position[d] < position[subtask.Id], $"{d} ran after {subtask.Id} in {definition.Id}."));
                    Assert.True(position[subtask.Id] < position["aggregate"]);
                }
            }
        }, iter: 60, threads: 1);
    }

    [Fact]
    public void Propose_RandomDescription_ComplexitiesAddUpAndWeightsSumToOne()
    {
        var items = Gen.OneOf("- a step", "1. a numbered step", "## Heading", "Then one more thing.", "  - a nested step", "Some prose, then more prose.", "");
        var descriptions = items.Array[1, 30].Select(lines => string.Join("\n", lines));

        Gen.Select(descriptions, Gen.Int[0, 100]).Sample((description, complexity) =>
        {
            var task = new DecompositionTask { Id = "t", Description = description, Complexity = complexity };
            var subtasks = StructuralTaskDecomposer.Propose(task);

            if (string.IsNullOrWhiteSpace(description))
            {
                Assert.Empty(subtasks);
                return;
            }

            Assert.NotEmpty(subtasks);
            Assert.Equal(Enumerable.Range(1, subtasks.Count).Select(i => $"s{i}"), subtasks.Select(s => s.Id));
            Assert.Equal(complexity, subtasks.Sum(s => s.Complexity));
            Assert.Equal(1.0, subtasks.Sum(s => s.Weight), 9);
            Assert.All(subtasks, s => Assert.False(string.IsNullOrWhiteSpace(s.Description)));
            Assert.All(subtasks, s => Assert.All(s.Dependencies, d => Assert.Contains(d, subtasks.TakeWhile(x => x.Id != s.Id).Select(x => x.Id))));
        }, iter: Iterations, threads: 1);
    }

    [Fact]
    public void Literal_RandomTextWithBracesAndQuotes_RendersBackUnchanged()
    {
        Gen.Char["{}'\"\\ ab\n\t\u2003"].Array[0, 40].Select(chars => new string(chars)).Sample(text =>
        {
            var rendered = TemplatedJson.Compile(JsonValue.Create(TemplateText.Literal(text))).Render(new JsonObject());

            Assert.Equal(text, rendered!.GetValue<string>());
        }, iter: 1000, threads: 1);
    }

    private static string Json(DecompositionResult result) => string.Join("\n", result.Definitions.Select(WorkflowJson.Serialize));

    /// <summary>The subtasks a definition runs, read back from the records in its subtask and workflow nodes.</summary>
    private static List<Subtask> LevelSubtasks(WorkflowDefinition definition) =>
        definition.Nodes
            .Select(n => n.Type == BuiltInActivities.Workflow ? n.Inputs["input"]!["subtask"] : n.Type == BuiltInActivities.Transform ? n.Inputs["value"] : null)
            .Where(r => r is not null)
            .Select(r => new Subtask
            {
                Id = r!["id"]!.GetValue<string>(),
                Description = r["description"]!.GetValue<string>(),
                Complexity = r["complexity"]!.GetValue<int>(),
                Weight = r["weight"]!.GetValue<double>(),
                Dependencies = r["dependencies"]!.AsArray().Select(d => d!.GetValue<string>()).ToArray(),
                Group = r["group"]?.GetValue<string>(),
            })
            .ToList();

    private static double RawWeight(WorkflowDefinition definition, string resultId) =>
        LevelSubtasks(definition).FirstOrDefault(s => s.Id == resultId) is { } subtask
            ? subtask.Weight
            : ResultIds(definition, resultId).Sum(id => RawWeight(definition, id));

    /// <summary>The layout rule, restated: dependencies chaining every subtask → sequential, other dependencies or two groups → hierarchical, else parallel.</summary>
    private static DecompositionStrategy ExpectedLayout(IReadOnlyList<Subtask> subtasks)
    {
        if (subtasks.Any(s => s.Dependencies.Count > 0))
        {
            var layers = Layers(subtasks);
            return layers.Values.Distinct().Count() == subtasks.Count ? DecompositionStrategy.Sequential : DecompositionStrategy.Hierarchical;
        }

        return subtasks.Select(s => s.Group).Distinct().Count() >= 2 ? DecompositionStrategy.Hierarchical : DecompositionStrategy.Parallel;
    }

    private static int ExpectedNodeCount(DecompositionStrategy layout, IReadOnlyList<Subtask> subtasks) => layout switch
    {
        DecompositionStrategy.Parallel => subtasks.Count + 2 + (Ends(subtasks) >= 2 ? 1 : 0),
        DecompositionStrategy.Sequential => subtasks.Count + 1,
        DecompositionStrategy.Hierarchical => HierarchicalNodeCount(ExpectedGroups(subtasks)),
        _ => throw new ArgumentOutOfRangeException(nameof(layout)),
    };

    private static int HierarchicalNodeCount(List<(List<Subtask> Members, HashSet<int> After)> groups)
    {
        var waitedFor = groups.SelectMany(g => g.After).ToHashSet();
        var last = groups.Count(g => !waitedFor.Contains(groups.IndexOf(g)));
        return 2 + groups.Sum(g => g.Members.Count + 2 + (Ends(g.Members) >= 2 ? 1 : 0)) + (last >= 2 ? 1 : 0);
    }

    /// <summary>Members that no other member depends on.</summary>
    private static int Ends(IReadOnlyList<Subtask> members) =>
        members.Count(m => !members.Any(other => other.Dependencies.Contains(m.Id)));

    private static void AssertGroupsFollowTheRule(WorkflowDefinition definition, DecompositionStrategy layout, List<Subtask> subtasks)
    {
        if (layout != DecompositionStrategy.Hierarchical)
        {
            Assert.DoesNotContain(definition.Nodes, n => n.Id == "g1.fork");
            Assert.Equal(layout == DecompositionStrategy.Parallel, definition.Nodes.Any(n => n.Id == "start"));
            return;
        }

        var expected = ExpectedGroups(subtasks);
        for (var g = 0; g < expected.Count; g++)
        {
            Assert.Equal(expected[g].Members.Select(m => m.Id), ResultIds(definition, $"g{g + 1}.aggregate"));
        }

        Assert.DoesNotContain(definition.Nodes, n => n.Id == $"g{expected.Count + 1}.fork");
    }

    /// <summary>
    /// The grouping rule, restated: the subtasks' own groups when there are two or more and the groups
    /// do not wait for each other in a cycle; else dependency layers; else runs of ⌈√n⌉.
    /// </summary>
    private static List<(List<Subtask> Members, HashSet<int> After)> ExpectedGroups(IReadOnlyList<Subtask> subtasks)
    {
        var names = subtasks.Select(s => s.Group).Distinct().ToList();
        if (names.Count >= 2)
        {
            var groupOf = subtasks.ToDictionary(s => s.Id, s => names.IndexOf(s.Group));
            var groups = names.Select((name, g) => (Members: subtasks.Where(s => s.Group == name).ToList(),
                After: subtasks.Where(s => s.Group == name).SelectMany(s => s.Dependencies).Select(d => groupOf[d]).Where(d => d != g).ToHashSet())).ToList();
            if (IsAcyclic(groups.Select(g => g.After).ToList()))
            {
                return groups;
            }
        }

        if (subtasks.Any(s => s.Dependencies.Count > 0))
        {
            var layers = Layers(subtasks);
            return Enumerable.Range(0, layers.Values.Max() + 1)
                .Select(layer => (subtasks.Where(s => layers[s.Id] == layer).ToList(), layer == 0 ? new HashSet<int>() : new HashSet<int> { layer - 1 }))
                .ToList();
        }

        var size = (int)Math.Ceiling(Math.Sqrt(subtasks.Count));
        return subtasks.Chunk(size).Select(chunk => (chunk.ToList(), new HashSet<int>())).ToList();
    }

    private static bool IsAcyclic(List<HashSet<int>> after)
    {
        var done = new HashSet<int>();
        while (done.Count < after.Count)
        {
            var ready = Enumerable.Range(0, after.Count).Where(g => !done.Contains(g) && after[g].All(done.Contains)).ToList();
            if (ready.Count == 0)
            {
                return false;
            }

            done.UnionWith(ready);
        }

        return true;
    }

    private static Dictionary<string, int> Layers(IReadOnlyList<Subtask> subtasks)
    {
        var byId = subtasks.ToDictionary(s => s.Id);
        var layers = new Dictionary<string, int>();
        int Layer(string id) => layers.TryGetValue(id, out var known) ? known
            : layers[id] = byId[id].Dependencies.Count == 0 ? 0 : byId[id].Dependencies.Max(Layer) + 1;
        foreach (var subtask in subtasks)
        {
            Layer(subtask.Id);
        }

        return layers;
    }
}
