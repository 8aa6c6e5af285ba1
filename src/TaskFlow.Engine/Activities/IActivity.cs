using TaskFlow.Core.Activities;

namespace TaskFlow.Engine.Activities;

/// <summary>
/// One kind of work a node can do. Implementations are resolved from DI per execution.
/// An activity may run more than once for the same node after a crash (delivery is at least
/// once); use <see cref="ActivityContext.IdempotencyKey"/> to make side effects safe.
/// </summary>
public interface IActivity
{
    ValueTask<ActivityResult> ExecuteAsync(ActivityContext context);
}
