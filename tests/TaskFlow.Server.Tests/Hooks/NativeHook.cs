namespace TaskFlow.Server.Tests.Hooks;

/// <summary>
/// The native <c>taskflow-hook</c> that scripts/test.sh publishes into artifacts/taskflow-hook. A
/// missing executable fails the native tests with the command that makes it: never a skip.
/// </summary>
internal static class NativeHook
{
    public const string PublishCommand = "dotnet publish src/TaskFlow.Hooks.Cli -c Release -r linux-x64 -o artifacts/taskflow-hook";

    private static readonly Lazy<string> Executable = new(Find);

    public static string Path => Executable.Value;

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "TaskFlow.sln")))
            {
                var file = System.IO.Path.Combine(dir.FullName, "artifacts", "taskflow-hook", "taskflow-hook");
                return File.Exists(file)
                    ? file
                    : throw new FileNotFoundException($"The native hook executable {file} is missing; publish it with `{PublishCommand}` (scripts/test.sh does).", file);
            }
        }

        throw new DirectoryNotFoundException($"No TaskFlow.sln above {AppContext.BaseDirectory}; the native hook executable is looked for in its artifacts/taskflow-hook.");
    }
}
