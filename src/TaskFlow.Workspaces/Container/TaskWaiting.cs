namespace TaskFlow.Workspaces.Container;

internal static class TaskWaiting
{
    /// <summary>
    /// Waits for a task whose outcome no longer matters (a read or write on an exec stream being
    /// torn down, which fails or ends as it goes) so that it does not outlive the call unnoticed.
    /// False when it is still running after <paramref name="timeout"/>.
    /// </summary>
    public static async Task<bool> WaitQuietlyAsync(this Task task, TimeSpan timeout, TimeProvider time)
    {
        try
        {
            await task.WaitAsync(timeout, time);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
        catch (Exception)
        {
            return true;
        }
    }
}
