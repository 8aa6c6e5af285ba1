namespace TaskFlow.Hooks;

/// <summary>What a hook process answers: its exit code (0 ok, 1 bad input, 2 block), stdout and stderr.</summary>
internal sealed record HookOutcome(int ExitCode, string? Stdout = null, string? Stderr = null)
{
    public static readonly HookOutcome Nothing = new(0);

    public static HookOutcome Invalid(string message) => new(1, null, message);
}
