namespace TaskFlow.Server.Tests.Hooks;

/// <summary>Every case of <see cref="HookCommandTests"/> again, against the native <c>taskflow-hook</c> executable, and its own option parsing.</summary>
public sealed class NativeHookCommandTests : HookCommandTests
{
    internal override HookLauncher Launcher => HookLauncher.Native;

    [Theory]
    [InlineData("--bogus", "unknown option --bogus")]
    [InlineData("--max-subtasks x", "--max-subtasks x is not a number")]
    [InlineData("--strategy weird", "--strategy weird is not a strategy")]
    [InlineData("--aggregation=odd", "--aggregation odd is not a mode")]
    [InlineData("--max-depth", "--max-depth needs a value")]
    public async Task Run_BadOption_ExitsOneNamingItAndStoresNothing(string options, string message)
    {
        var cwd = Directory.CreateTempSubdirectory("taskflow-hook-native-").FullName;
        try
        {
            var input = HookInputs.PreToolUse("native-options", cwd, "Agent", "- Write the docs\n- Write the tests", "toolu_1").ToJsonString();

            var result = await CliProcess.HookAsync(Launcher, options.Split(' '), input, cwd);

            Assert.Equal(1, result.ExitCode);
            Assert.Contains(message, result.Stderr);
            Assert.Empty(result.Stdout);
            Assert.False(Directory.Exists(Path.Combine(cwd, ".taskflow")), "a refused option must store nothing");
        }
        finally
        {
            Directory.Delete(cwd, recursive: true);
        }
    }

    [Fact]
    public async Task Run_OptionsWithEquals_AreReadLikeSeparateValues()
    {
        var cwd = Directory.CreateTempSubdirectory("taskflow-hook-native-").FullName;
        try
        {
            var input = HookInputs.PreToolUse("native-options", cwd, "Agent", "- a one\n- b two\n- c three\n- d four", "toolu_1").ToJsonString();

            var result = await CliProcess.HookAsync(Launcher, ["--block-invalid", "--max-subtasks=3"], input, cwd);

            Assert.True(result.ExitCode == 2, result.ToString());
            Assert.Contains("more than max_subtasks (3)", result.Stderr);
        }
        finally
        {
            Directory.Delete(cwd, recursive: true);
        }
    }
}
