using System.Text.Json.Nodes;

namespace TaskFlow.Core.Decomposition;

/// <summary>What an aggregation concludes from its subtasks' results.</summary>
public sealed record AggregationResult
{
    public required AggregationMode Mode { get; init; }

    /// <summary>Sequential: as given. Parallel: in the order they finished, unfinished ones last. Weighted: as given.</summary>
    public required IReadOnlyList<SubtaskResult> Results { get; init; }

    /// <summary>The weight of each result in <see cref="Results"/>, normalised to sum to 1 (weighted mode only).</summary>
    public IReadOnlyList<double>? Weights { get; init; }

    /// <summary>True when every subtask succeeded.</summary>
    public required bool Succeeded { get; init; }

    /// <summary>sum(w_i * s_i) / sum(w_i) in weighted mode, null otherwise.</summary>
    public double? Score { get; init; }

    /// <summary>One line for a person: how many succeeded, which did not, and the score.</summary>
    public required string Summary { get; init; }

    public int Count(SubtaskStatus status) => Results.Count(r => r.Status == status);

    /// <summary>The activity's output: mode, succeeded, score, counts, results and summary.</summary>
    public JsonObject ToJson()
    {
        var results = new JsonArray();
        for (var i = 0; i < Results.Count; i++)
        {
            var r = Results[i];
            var entry = new JsonObject
            {
                ["id"] = r.Id,
                ["status"] = SubtaskAggregation.StatusName(r.Status),
                ["output"] = r.Output?.DeepClone(),
            };
            if (r.Error is not null)
            {
                entry["error"] = r.Error;
            }

            if (r.Score is { } score)
            {
                entry["score"] = score;
            }

            if (Weights is not null)
            {
                entry["weight"] = Weights[i];
            }

            results.Add((JsonNode)entry);
        }

        var counts = new JsonObject();
        foreach (var status in Enum.GetValues<SubtaskStatus>())
        {
            counts[SubtaskAggregation.StatusName(status)] = Count(status);
        }

        var json = new JsonObject
        {
            ["mode"] = AggregateActivityDescriptor.ModeName(Mode),
            ["succeeded"] = Succeeded,
            ["total"] = Results.Count,
            ["counts"] = counts,
        };
        if (Score is { } total)
        {
            json["score"] = total;
        }

        json["results"] = results;
        json["summary"] = Summary;
        return json;
    }
}
