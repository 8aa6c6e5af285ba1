using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TaskFlow.Core.Decomposition;

/// <summary>
/// Combines subtask results: the rules of the <c>aggregate</c> activity, the task-decomposition MCP
/// server's <c>aggregate</c> tool and the hooks, in one place. Pure.
/// </summary>
/// <remarks>
/// Weighted score: sum(w_i * s_i) / sum(w_i), where s_i is the result's score (0 to 1, default 1)
/// when it succeeded and 0 otherwise. Weights come from the <c>weights</c> list, else from each
/// result's <c>weight</c>, else 1; they are 0 or more and must not all be 0.
/// </remarks>
public static class SubtaskAggregation
{
    /// <summary>Aggregates typed results; throws <see cref="ArgumentException"/> naming the first bad weight.</summary>
    public static AggregationResult Aggregate(AggregationMode mode, IReadOnlyList<SubtaskResult> results, IReadOnlyList<double>? weights = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        var problems = new List<string>();
        var normalised = mode == AggregationMode.Weighted ? Normalise(weights ?? results.Select(_ => 1.0).ToArray(), results.Count, problems) : null;
        if (problems.Count > 0)
        {
            throw new ArgumentException(problems[0], nameof(weights));
        }

        return Build(mode, results, normalised);
    }

    /// <summary>
    /// Reads the activity's inputs (<c>mode</c>, <c>results</c>, <c>weights</c>) and aggregates them.
    /// Every problem is named in <paramref name="problems"/>, and the result is then null.
    /// </summary>
    public static AggregationResult? FromJson(JsonNode? mode, JsonNode? results, JsonNode? weights, out IReadOnlyList<string> problems)
    {
        var found = new List<string>();
        problems = found;
        var parsedMode = ParseMode(mode, found);
        var parsed = ParseResults(results, found, out var resultWeights);
        double[]? given = null;
        if (weights is not null)
        {
            given = ParseWeights(weights, found);
        }

        if (found.Count > 0 || parsedMode is null || parsed is null)
        {
            return null;
        }

        double[]? normalised = null;
        if (parsedMode == AggregationMode.Weighted)
        {
            normalised = Normalise(given ?? resultWeights, parsed.Count, found);
            if (found.Count > 0)
            {
                return null;
            }
        }

        return Build(parsedMode.Value, parsed, normalised);
    }

    /// <summary>The name of <paramref name="status"/> in JSON: succeeded, failed, skipped, cancelled or pending.</summary>
    public static string StatusName(SubtaskStatus status) => status switch
    {
        SubtaskStatus.Succeeded => "succeeded",
        SubtaskStatus.Failed => "failed",
        SubtaskStatus.Skipped => "skipped",
        SubtaskStatus.Cancelled => "cancelled",
        _ => "pending",
    };

    /// <summary>
    /// Reads a status: the names above in any case, the engine's node statuses (scheduled, running
    /// and waiting are pending), success/completed, failure/error, and canceled. Null or empty is pending.
    /// </summary>
    public static bool TryParseStatus(string? text, out SubtaskStatus status)
    {
        status = (text ?? "").Trim().ToLowerInvariant() switch
        {
            "" or "pending" or "scheduled" or "running" or "waiting" => SubtaskStatus.Pending,
            "succeeded" or "success" or "completed" => SubtaskStatus.Succeeded,
            "failed" or "failure" or "error" => SubtaskStatus.Failed,
            "skipped" => SubtaskStatus.Skipped,
            "cancelled" or "canceled" => SubtaskStatus.Cancelled,
            _ => (SubtaskStatus)(-1),
        };
        return Enum.IsDefined(status);
    }

    public static bool TryParseMode(string? text, out AggregationMode mode)
    {
        var index = AggregateActivityDescriptor.Modes.ToList().FindIndex(m => string.Equals(m, text?.Trim(), StringComparison.OrdinalIgnoreCase));
        mode = index switch
        {
            0 => AggregationMode.Sequential,
            1 => AggregationMode.Parallel,
            _ => AggregationMode.Weighted,
        };
        return index >= 0;
    }

    private static AggregationResult Build(AggregationMode mode, IReadOnlyList<SubtaskResult> results, double[]? weights)
    {
        IReadOnlyList<SubtaskResult> ordered = results;
        if (mode == AggregationMode.Parallel)
        {
            // Stable: results that finished at the same moment, or have no time, keep their given order.
            ordered = results.Select((r, i) => (r, i))
                .OrderBy(x => x.r.FinishedAt is null)
                .ThenBy(x => x.r.FinishedAt)
                .ThenBy(x => x.i)
                .Select(x => x.r)
                .ToList();
        }

        double? score = null;
        if (weights is not null)
        {
            score = 0;
            for (var i = 0; i < results.Count; i++)
            {
                score += weights[i] * (results[i].Status == SubtaskStatus.Succeeded ? results[i].Score ?? 1 : 0);
            }
        }

        var succeeded = results.All(r => r.Status == SubtaskStatus.Succeeded);
        return new AggregationResult
        {
            Mode = mode,
            Results = ordered,
            Weights = weights,
            Succeeded = succeeded,
            Score = score,
            Summary = Summarise(results, succeeded, score),
        };
    }

    private static string Summarise(IReadOnlyList<SubtaskResult> results, bool succeeded, double? score)
    {
        var text = succeeded
            ? results.Count == 1 ? "The subtask succeeded." : $"All {results.Count} subtasks succeeded."
            : $"{results.Count(r => r.Status == SubtaskStatus.Succeeded)} of {results.Count} subtasks succeeded; " + string.Join("; ",
                Enum.GetValues<SubtaskStatus>()
                    .Where(s => s != SubtaskStatus.Succeeded)
                    .Select(s => (Status: s, Ids: results.Where(r => r.Status == s).Select(r => r.Id).ToList()))
                    .Where(g => g.Ids.Count > 0)
                    .Select(g => $"{StatusName(g.Status)}: {string.Join(", ", g.Ids)}")) + ".";
        return score is { } value ? $"{text} Weighted score {value.ToString("0.###", CultureInfo.InvariantCulture)}." : text;
    }

    private static double[]? Normalise(IReadOnlyList<double> weights, int count, List<string> problems)
    {
        if (weights.Count != count)
        {
            problems.Add($"weights has {weights.Count} entries but results has {count}; give one weight per result, in the same order.");
            return null;
        }

        for (var i = 0; i < weights.Count; i++)
        {
            if (!double.IsFinite(weights[i]) || weights[i] < 0)
            {
                problems.Add($"weights[{i}] is {weights[i].ToString(CultureInfo.InvariantCulture)}; a weight is a number, 0 or more.");
                return null;
            }
        }

        var total = weights.Sum();
        if (total <= 0)
        {
            problems.Add("The weights are all 0; at least one result needs a weight above 0.");
            return null;
        }

        return weights.Select(w => w / total).ToArray();
    }

    private static AggregationMode? ParseMode(JsonNode? mode, List<string> problems)
    {
        var text = mode is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
        if (TryParseMode(text, out var parsed))
        {
            return parsed;
        }

        problems.Add(mode is null
            ? $"mode is missing; use {Modes}."
            : $"mode is '{mode.ToJsonString()}', which is not a mode; use {Modes}.");
        return null;
    }

    private static string Modes => string.Join(", ", AggregateActivityDescriptor.Modes);

    private static List<SubtaskResult>? ParseResults(JsonNode? node, List<string> problems, out double[] weights)
    {
        weights = [];
        if (node is not JsonArray array)
        {
            problems.Add(node is null
                ? "results is missing; give one entry per subtask: { id, status, output }."
                : $"results is {Kind(node)}, not a list; give one entry per subtask: {{ id, status, output }}.");
            return null;
        }

        if (array.Count == 0)
        {
            problems.Add("results is empty; give one entry per subtask: { id, status, output }.");
            return null;
        }

        var before = problems.Count;
        var results = new List<SubtaskResult>(array.Count);
        weights = new double[array.Count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < array.Count; i++)
        {
            if (ParseResult(array[i], $"results[{i}]", problems, out var weight) is { } result)
            {
                if (!seen.Add(result.Id))
                {
                    problems.Add($"results[{i}].id '{result.Id}' appears more than once; each subtask has one result.");
                }

                results.Add(result);
                weights[i] = weight;
            }
        }

        return problems.Count == before ? results : null;
    }

    private static SubtaskResult? ParseResult(JsonNode? node, string at, List<string> problems, out double weight)
    {
        weight = 1;
        if (node is not JsonObject entry)
        {
            problems.Add($"{at} is {Kind(node)}, not an object {{ id, status, output }}.");
            return null;
        }

        var before = problems.Count;
        var id = Text(entry["id"]);
        if (string.IsNullOrWhiteSpace(id))
        {
            problems.Add($"{at}.id is missing or empty; name the subtask.");
        }

        var statusText = entry["status"] is null ? null : Text(entry["status"]);
        if (entry["status"] is JsonNode s && statusText is null)
        {
            problems.Add($"{at}.status is {Kind(s)}; use succeeded, failed, skipped, cancelled or pending.");
        }

        if (!TryParseStatus(statusText, out var status))
        {
            problems.Add($"{at}.status is '{statusText}', which is not a status; use succeeded, failed, skipped, cancelled or pending.");
        }

        double? score = null;
        if (entry["score"] is JsonNode scoreNode)
        {
            if (Number(scoreNode) is { } value && value is >= 0 and <= 1)
            {
                score = value;
            }
            else
            {
                problems.Add($"{at}.score is {scoreNode.ToJsonString()}; a score is a number from 0 to 1.");
            }
        }

        if (entry["weight"] is JsonNode weightNode)
        {
            if (Number(weightNode) is { } value)
            {
                weight = value;
            }
            else
            {
                problems.Add($"{at}.weight is {weightNode.ToJsonString()}; a weight is a number, 0 or more.");
            }
        }

        DateTimeOffset? finishedAt = null;
        var finishedText = Text(entry["finishedAt"]);
        if (!string.IsNullOrWhiteSpace(finishedText))
        {
            if (DateTimeOffset.TryParse(finishedText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            {
                finishedAt = time;
            }
            else
            {
                problems.Add($"{at}.finishedAt is '{finishedText}', which is not an ISO 8601 time.");
            }
        }

        return problems.Count > before ? null : new SubtaskResult
        {
            Id = id!,
            Status = status,
            Output = entry["output"]?.DeepClone(),
            Error = Text(entry["error"]),
            Score = score,
            FinishedAt = finishedAt,
        };
    }

    private static double[]? ParseWeights(JsonNode node, List<string> problems)
    {
        if (node is not JsonArray array)
        {
            problems.Add($"weights is {Kind(node)}, not a list of numbers.");
            return null;
        }

        var weights = new double[array.Count];
        for (var i = 0; i < array.Count; i++)
        {
            if (array[i] is JsonNode n && Number(n) is { } value)
            {
                weights[i] = value;
            }
            else
            {
                problems.Add($"weights[{i}] is {array[i]?.ToJsonString() ?? "null"}; a weight is a number, 0 or more.");
                return null;
            }
        }

        return weights;
    }

    private static double? Number(JsonNode node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) ? d
        : node is JsonValue t && t.GetValueKind() == JsonValueKind.String && double.TryParse(t.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed
        : null;

    private static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => v.ToJsonString(),
        _ => null,
    };

    private static string Kind(JsonNode? node) => node is null ? "null" : node.GetValueKind() switch
    {
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        JsonValueKind.String => $"the text '{node.GetValue<string>()}'",
        var kind => kind.ToString().ToLowerInvariant(),
    };
}
