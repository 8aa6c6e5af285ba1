namespace TaskFlow.Server.Tests.Hooks;

/// <summary>Which process a hook test runs: <c>taskflow hook</c>, or the native <c>taskflow-hook</c>.</summary>
internal enum HookLauncher
{
    Cli,
    Native,
}
