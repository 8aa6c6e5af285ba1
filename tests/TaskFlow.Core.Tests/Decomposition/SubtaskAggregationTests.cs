using System.Text.Json.Nodes;
using CsCheck;
using TaskFlow.Core.Decomposition;

namespace TaskFlow.Core.Tests.Decomposition;

public class SubtaskAggregationTests
{
    private static readonly DateTimeOffset T0 = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static JsonNode Results(string json) => JsonNode.Parse(json)!;

    private static AggregationResult Parse(string mode, string results, string? weights = null)
    {
        var result = SubtaskAggregation.FromJson(JsonValue.Create(mode), Results(results), weights is null ? null : JsonNode.Parse(weights), out var problems);
        Assert.True(result is not null, string.Join(" | ", problems));
        return result!;
    }

    private static IReadOnlyList<string> Problems(JsonNode? mode, string? results, string? weights = null)
    {
        Assert.Null(SubtaskAggregation.FromJson(mode, results is null ? null : JsonNode.Parse(results), weights is null ? null : JsonNode.Parse(weights), out var problems));
        Assert.NotEmpty(problems);
        return problems;
    }

    [Fact]
    public void Sequential_KeepsTheGivenOrderAndReportsEachResult()
    {
        var result = Parse("sequential", """
            [ { "id": "b", "status": "Succeeded", "output": 2, "finishedAt": "2030-01-01T00:00:05Z" },
              { "id": "a", "status": "Succeeded", "output": { "x": 1 }, "finishedAt": "2030-01-01T00:00:01Z" } ]
            """);

        Assert.Equal(["b", "a"], result.Results.Select(r => r.Id));
        Assert.True(result.Succeeded);
        Assert.Null(result.Score);
        Assert.Equal("All 2 subtasks succeeded.", result.Summary);
        var json = result.ToJson();
        Assert.Equal("sequential", json["mode"]!.GetValue<string>());
        Assert.Equal(2, json["counts"]!["succeeded"]!.GetValue<int>());
        Assert.Equal(1, json["results"]![1]!["output"]!["x"]!.GetValue<int>());
        Assert.Null(json["score"]);
    }

    [Fact]
    public void Parallel_ListsResultsInTheOrderTheyFinished_UnfinishedLast()
    {
        var result = Parse("parallel", """
            [ { "id": "slow", "status": "succeeded", "finishedAt": "2030-01-01T00:00:09Z" },
              { "id": "never", "status": "pending" },
              { "id": "fast", "status": "failed", "error": "boom", "finishedAt": "2030-01-01T00:00:01Z" },
              { "id": "mid", "status": "succeeded", "finishedAt": "2030-01-01T00:00:05+00:00" } ]
            """);

        Assert.Equal(["fast", "mid", "slow", "never"], result.Results.Select(r => r.Id));
        Assert.False(result.Succeeded);
        Assert.Equal("2 of 4 subtasks succeeded; pending: never; failed: fast.", result.Summary);
        Assert.Equal("boom", result.Results[0].Error);
    }

    [Fact]
    public void Weighted_ScoresSucceededResultsByWeightAndScore()
    {
        var result = Parse("weighted", """
            [ { "id": "a", "status": "succeeded" },
              { "id": "b", "status": "failed" },
              { "id": "c", "status": "succeeded", "score": 0.5 } ]
            """, "[2, 1, 1]");

        // (2 * 1 + 1 * 0 + 1 * 0.5) / 4
        Assert.Equal(0.625, result.Score!.Value, 12);
        Assert.Equal([0.5, 0.25, 0.25], result.Weights!);
        Assert.EndsWith("Weighted score 0.625.", result.Summary);
        Assert.Equal(0.25, result.ToJson()["results"]![1]!["weight"]!.GetValue<double>());
    }

    [Fact]
    public void Weighted_WithoutAWeightsList_UsesEachResultsWeightElseOne()
    {
        var result = Parse("weighted", """
            [ { "id": "a", "status": "succeeded", "weight": 3 },
              { "id": "b", "status": "failed" } ]
            """);

        Assert.Equal(0.75, result.Score!.Value, 12);
    }

    [Theory]
    [InlineData("running", SubtaskStatus.Pending)]
    [InlineData("Waiting", SubtaskStatus.Pending)]
    [InlineData("", SubtaskStatus.Pending)]
    [InlineData(null, SubtaskStatus.Pending)]
    [InlineData("SUCCESS", SubtaskStatus.Succeeded)]
    [InlineData("completed", SubtaskStatus.Succeeded)]
    [InlineData("error", SubtaskStatus.Failed)]
    [InlineData("Skipped", SubtaskStatus.Skipped)]
    [InlineData("canceled", SubtaskStatus.Cancelled)]
    public void TryParseStatus_ReadsTheEnginesAndCommonNames(string? text, SubtaskStatus expected)
    {
        Assert.True(SubtaskAggregation.TryParseStatus(text, out var status));
        Assert.Equal(expected, status);
    }

    [Fact]
    public void FromJson_ListsEveryProblem()
    {
        var problems = Problems(JsonValue.Create("average"), """
            [ { "status": "succeeded" },
              { "id": "a", "status": "done", "score": 2 },
              { "id": "a", "status": "failed", "finishedAt": "yesterday" },
              7 ]
            """, "[1, \"x\"]");

        Assert.Contains(problems, p => p.StartsWith("mode is '\"average\"', which is not a mode; use sequential, parallel, weighted", StringComparison.Ordinal));
        Assert.Contains("results[0].id is missing or empty; name the subtask.", problems);
        Assert.Contains(problems, p => p.StartsWith("results[1].status is 'done', which is not a status", StringComparison.Ordinal));
        Assert.Contains("results[1].score is 2; a score is a number from 0 to 1.", problems);
        Assert.Contains("results[2].finishedAt is 'yesterday', which is not an ISO 8601 time.", problems);
        Assert.Contains("results[3] is number, not an object { id, status, output }.", problems);
        Assert.Contains("weights[1] is \"x\"; a weight is a number, 0 or more.", problems);
    }

    [Fact]
    public void FromJson_DuplicateIds_AreAProblem()
    {
        var problems = Problems(JsonValue.Create("parallel"), """[ { "id": "a" }, { "id": "a" } ]""");

        Assert.Equal(["results[1].id 'a' appears more than once; each subtask has one result."], problems);
    }

    [Theory]
    [InlineData(null, "results is missing; give one entry per subtask: { id, status, output }.")]
    [InlineData("[]", "results is empty; give one entry per subtask: { id, status, output }.")]
    [InlineData("{}", "results is an object, not a list; give one entry per subtask: { id, status, output }.")]
    public void FromJson_ResultsThatAreNotAList_AreNamed(string? results, string expected)
    {
        Assert.Equal([expected], Problems(JsonValue.Create("sequential"), results));
    }

    [Theory]
    [InlineData("[1]", "weights has 1 entries but results has 2; give one weight per result, in the same order.")]
    [InlineData("[0, 0]", "The weights are all 0; at least one result needs a weight above 0.")]
    [InlineData("[1, -1]", "weights[1] is -1; a weight is a number, 0 or more.")]
    public void Weighted_BadWeights_AreNamed(string weights, string expected)
    {
        Assert.Equal([expected], Problems(JsonValue.Create("weighted"), """[ { "id": "a" }, { "id": "b" } ]""", weights));
    }

    [Fact]
    public void FromJson_MissingMode_IsNamed()
    {
        Assert.Equal(["mode is missing; use sequential, parallel, weighted."], Problems(null, """[ { "id": "a" } ]"""));
    }

    [Fact]
    public void Aggregate_Typed_RejectsBadWeightsWithTheSameMessage()
    {
        var results = new[] { new SubtaskResult { Id = "a", Status = SubtaskStatus.Succeeded } };

        var error = Assert.Throws<ArgumentException>(() => SubtaskAggregation.Aggregate(AggregationMode.Weighted, results, [0.0]));

        Assert.StartsWith("The weights are all 0", error.Message, StringComparison.Ordinal);
    }

    private static readonly Gen<(SubtaskResult[] Results, double[] Weights)> WeightedCase =
        from n in Gen.Int[1, 20]
        from statuses in Gen.Enum<SubtaskStatus>().Array[n]
        from scores in Gen.Double[0, 1].Nullable().Array[n]
        from weights in Gen.Frequency((1, Gen.Const(0.0)), (5, Gen.Double[0.001, 100])).Array[n]
        where weights.Sum() > 0
        select (Enumerable.Range(0, n).Select(i => new SubtaskResult { Id = $"s{i}", Status = statuses[i], Score = scores[i] }).ToArray(), weights);

    [Fact]
    public void Weighted_Score_IsTheDocumentedFormula_BetweenZeroAndOne_AndScaleFree()
    {
        WeightedCase.Sample(c =>
        {
            var result = SubtaskAggregation.Aggregate(AggregationMode.Weighted, c.Results, c.Weights);
            var expected = c.Results.Select((r, i) => c.Weights[i] * (r.Status == SubtaskStatus.Succeeded ? r.Score ?? 1 : 0)).Sum() / c.Weights.Sum();
            var scaled = SubtaskAggregation.Aggregate(AggregationMode.Weighted, c.Results, c.Weights.Select(w => w * 7.5).ToArray());

            Assert.Equal(expected, result.Score!.Value, 9);
            Assert.InRange(result.Score.Value, 0, 1 + 1e-12);
            Assert.Equal(result.Score.Value, scaled.Score!.Value, 9);
            Assert.Equal(1.0, result.Weights!.Sum(), 9);
            Assert.Equal(c.Results.All(r => r.Status == SubtaskStatus.Succeeded), result.Succeeded);
            Assert.Equal(c.Results.Length, result.Results.Count);
        }, iter: 300);
    }

    [Fact]
    public void Parallel_Order_IsAStableSortByFinishTime()
    {
        var gen = from n in Gen.Int[1, 15]
                  from offsets in Gen.Int[-1, 5].Array[n]
                  select Enumerable.Range(0, n).Select(i => new SubtaskResult
                  {
                      Id = $"s{i}",
                      Status = SubtaskStatus.Succeeded,
                      FinishedAt = offsets[i] < 0 ? null : T0.AddSeconds(offsets[i]),
                  }).ToArray();
        gen.Sample(results =>
        {
            var ordered = SubtaskAggregation.Aggregate(AggregationMode.Parallel, results).Results;
            var expected = results.Where(r => r.FinishedAt is not null).OrderBy(r => r.FinishedAt).Concat(results.Where(r => r.FinishedAt is null));

            Assert.Equal(expected.Select(r => r.Id), ordered.Select(r => r.Id));
        }, iter: 200);
    }
}
