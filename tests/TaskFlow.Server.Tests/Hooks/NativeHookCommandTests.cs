namespace TaskFlow.Server.Tests.Hooks;

/// <summary>Every case of <see cref="HookCommandTests"/> again, against the native <c>taskflow-hook</c> executable.</summary>
public sealed class NativeHookCommandTests : HookCommandTests
{
    internal override HookLauncher Launcher => HookLauncher.Native;
}
