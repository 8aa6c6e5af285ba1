using TaskFlow.Core.Activities;
using TaskFlow.Core.Decomposition;

namespace TaskFlow.Engine.Activities;

/// <summary>
/// Combines the results of a decomposed task's subtasks (<see cref="AggregateActivityDescriptor"/>;
/// the rules are <see cref="SubtaskAggregation"/>'s). It succeeds with the aggregation as output
/// whatever the subtasks' statuses; inputs that cannot be read fail it, naming every problem.
/// </summary>
internal sealed class AggregateActivity : IActivity
{
    public ValueTask<ActivityResult> ExecuteAsync(ActivityContext context)
    {
        var inputs = context.Inputs;
        var aggregation = SubtaskAggregation.FromJson(inputs["mode"], inputs["results"], inputs["weights"], out var problems);
        return ValueTask.FromResult(aggregation is null
            ? ActivityResult.Failed("The aggregate inputs are invalid: " + string.Join(" ", problems), retryable: false)
            : ActivityResult.Succeeded(aggregation.ToJson()));
    }
}
