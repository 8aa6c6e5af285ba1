namespace TaskFlow.Server.Tests.Hooks;

/// <summary><see cref="LivePlanTests"/> with the native <c>taskflow-hook</c> executable handling every event.</summary>
public sealed class NativeLivePlanTests : LivePlanTests
{
    internal override HookLauncher Launcher => HookLauncher.Native;
}
