using System.Text;

namespace TaskFlow.Engine.Jobs;

/// <summary>
/// Hangfire queues. Every TaskFlow process listens on the shared <see cref="Default"/> queue and
/// on a queue of its own machine, for jobs about what only that machine has (its workspace
/// folders and sandboxes).
/// </summary>
public static class JobQueues
{
    public const string Default = "default";

    /// <summary><c>host_</c> and the machine name in the letters Hangfire accepts (lower case, digits, underscores).</summary>
    public static string Local { get; } = "host_" + Sanitize(Environment.MachineName);

    private static string Sanitize(string name)
    {
        var text = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            text.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        return text.ToString();
    }
}
