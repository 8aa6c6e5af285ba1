using System.Globalization;
using TaskFlow.Core.Model;
using TaskFlow.Engine.Instances;

namespace TaskFlow.Server.Api;

/// <summary>
/// Reads an <see cref="InstanceFilter"/> from named values: the query of <c>GET /api/instances</c>
/// or the <c>filter</c> object of a bulk operation. Each bad value is one error naming its parameter.
/// </summary>
internal static class InstanceFilterParser
{
    /// <summary>The parameter names, as the API and the docs spell them.</summary>
    public static readonly string[] Names =
        ["definition", "version", "status", "correlationId", "createdAfter", "createdBefore", "finishedAfter", "finishedBefore", "q"];

    public static InstanceFilter Parse(Func<string, string?> value, List<string> errors)
    {
        var filter = new InstanceFilter
        {
            DefinitionId = NonEmpty(value("definition"), "definition", errors),
            CorrelationId = NonEmpty(value("correlationId"), "correlationId", errors),
            Text = NonEmpty(value("q"), "q", errors),
            CreatedFrom = Time(value("createdAfter"), "createdAfter", errors),
            CreatedTo = Time(value("createdBefore"), "createdBefore", errors),
            FinishedFrom = Time(value("finishedAfter"), "finishedAfter", errors),
            FinishedTo = Time(value("finishedBefore"), "finishedBefore", errors),
        };

        if (filter.CorrelationId is { Length: > InstanceFilter.CorrelationIdMaxLength })
        {
            errors.Add($"correlationId is longer than {InstanceFilter.CorrelationIdMaxLength} characters.");
        }

        if (value("version") is { } version)
        {
            if (int.TryParse(version, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 1)
            {
                filter = filter with { DefinitionVersion = number };
            }
            else
            {
                errors.Add($"version '{version}' is not a whole number of 1 or more.");
            }
        }

        if (value("status") is { } status)
        {
            if (Enum.TryParse<InstanceStatus>(status, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !char.IsAsciiDigit(status.FirstOrDefault()))
            {
                filter = filter with { Status = parsed };
            }
            else
            {
                errors.Add($"status '{status}' is not one of {string.Join(", ", Enum.GetNames<InstanceStatus>())}.");
            }
        }

        return filter;
    }

    private static string? NonEmpty(string? value, string name, List<string> errors)
    {
        if (value is { Length: 0 })
        {
            errors.Add($"{name} is empty; leave it out to match any.");
            return null;
        }

        return value;
    }

    private static DateTimeOffset? Time(string? value, string name, List<string> errors)
    {
        if (value is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
        {
            return time;
        }

        errors.Add($"{name} '{value}' is not a time; use ISO 8601, e.g. 2026-12-04T10:00:00Z.");
        return null;
    }
}
