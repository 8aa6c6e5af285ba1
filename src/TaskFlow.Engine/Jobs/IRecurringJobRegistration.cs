using Hangfire;

namespace TaskFlow.Engine.Jobs;

/// <summary>
/// A recurring job another part of TaskFlow runs on Hangfire (workspace cleanup, ...). Registered
/// with the engine's own jobs at start, retried in the background while the database is down.
/// </summary>
public interface IRecurringJobRegistration
{
    void Register(IRecurringJobManager manager);
}
