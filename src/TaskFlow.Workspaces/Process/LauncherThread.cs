using System.Collections.Concurrent;

namespace TaskFlow.Workspaces.Process;

/// <summary>
/// The one thread every sandbox is started from, alive as long as the service.
/// </summary>
/// <remarks>
/// bubblewrap's <c>--die-with-parent</c> is <c>PR_SET_PDEATHSIG</c>, and Linux sends that signal
/// when the parent <em>thread</em> exits, not the parent process. .NET forks a child on whichever
/// thread calls <c>Process.Start</c>, and the thread pool retires idle threads: a sandbox started
/// from a pool thread was SIGKILLed in the middle of its command when that thread went away.
/// Started from this thread, which never exits, a sandbox dies with the service and only then.
/// </remarks>
internal static class LauncherThread
{
    private static readonly BlockingCollection<Action> Work = [];

    static LauncherThread()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "TaskFlow sandbox launcher" };
        thread.Start();
    }

    public static Task RunAsync(Action action)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Work.Add(() =>
        {
            try
            {
                action();
                done.SetResult();
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        });
        return done.Task;
    }

    private static void Run()
    {
        foreach (var action in Work.GetConsumingEnumerable())
        {
            action();
        }
    }
}
