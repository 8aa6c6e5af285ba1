namespace TaskFlow.Server.Tests.Hooks;

/// <summary>Every case of <see cref="BackgroundSubagentTests"/> again, against the native <c>taskflow-hook</c> executable.</summary>
public sealed class NativeBackgroundSubagentTests : BackgroundSubagentTests
{
    internal override HookLauncher Launcher => HookLauncher.Native;
}
