namespace TaskFlow.Server.Tests.Hooks;

/// <summary>Every case of <see cref="ReferenceExampleTests"/> again, against the native <c>taskflow-hook</c> executable.</summary>
public sealed class NativeReferenceExampleTests : ReferenceExampleTests
{
    internal override HookLauncher Launcher => HookLauncher.Native;
}
