using TaskFlow.Routing.Upstreams;

namespace TaskFlow.Routing.Tests.Upstreams;

/// <summary>
/// Which line of a failed server's stderr is told as the reason. The samples are what the runtimes
/// really print, copied from runs on this project's test machine (Node.js 20.20.2, Python 3.11.7,
/// .NET 10); their last line alone would say nothing (Node's version, a stack frame).
/// </summary>
public sealed class StderrTailTests
{
    [Theory]
    [MemberData(nameof(Crashes))]
    public void TellingLine_ARuntimeCrash_IsTheErrorLineAboveTheStack(string stderr, string expected)
    {
        var tail = new StderrTail();
        foreach (var line in stderr.Split('\n'))
        {
            tail.Add(line);
        }

        Assert.Equal(expected, tail.TellingLine());
    }

    public static TheoryData<string, string> Crashes => new()
    {
        {
            """
            node:internal/modules/cjs/loader:1210
              throw err;
              ^

            Error: Cannot find module '/opt/nothing/index.js'
                at Module._resolveFilename (node:internal/modules/cjs/loader:1207:15)
                at Module._load (node:internal/modules/cjs/loader:1038:27)
                at Function.executeUserEntryPoint [as runMain] (node:internal/modules/run_main:164:12)
                at node:internal/main/run_main_module:28:49 {
              code: 'MODULE_NOT_FOUND',
              requireStack: []
            }

            Node.js v20.20.2
            """,
            "Error: Cannot find module '/opt/nothing/index.js'"
        },
        {
            """
            node:internal/modules/esm/resolve:873
              throw new ERR_MODULE_NOT_FOUND(packageName, fileURLToPath(base), null);
                    ^

            Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'some-missing-package' imported from /tmp/esm.mjs
                at packageResolve (node:internal/modules/esm/resolve:873:9)
                at moduleResolve (node:internal/modules/esm/resolve:946:18)
                at ModuleJob._link (node:internal/modules/esm/module_job:168:49) {
              code: 'ERR_MODULE_NOT_FOUND'
            }

            Node.js v20.20.2
            """,
            "Error [ERR_MODULE_NOT_FOUND]: Cannot find package 'some-missing-package' imported from /tmp/esm.mjs"
        },
        {
            """
            Traceback (most recent call last):
              File "<string>", line 5, in <module>
              File "<string>", line 4, in main
            ValueError: TAVILY_API_KEY environment variable is required
            """,
            "ValueError: TAVILY_API_KEY environment variable is required"
        },
        {
            """
            Unhandled exception. System.InvalidOperationException: No API key configured
               at Program.<Main>$(String[] args) in /src/Program.cs:line 3
            """,
            "Unhandled exception. System.InvalidOperationException: No API key configured"
        },
    };

    [Fact]
    public void TellingLine_NoErrorLine_IsTheLastLineThatSaysSomething()
    {
        var tail = new StderrTail();
        tail.Add("[search-mcp] starting");
        tail.Add("[search-mcp] no config file found, stopping");
        tail.Add("");
        tail.Add("Node.js v20.20.2");

        Assert.Equal("[search-mcp] no config file found, stopping", tail.TellingLine());
    }

    [Fact]
    public void TellingLine_NothingOrOnlyNoise_IsNull()
    {
        var tail = new StderrTail();
        Assert.Null(tail.TellingLine());

        tail.Add("");
        tail.Add("    at main (file:///srv/index.js:1:1)");
        Assert.Null(tail.TellingLine());
    }

    [Fact]
    public void TellingLine_MoreLinesThanItKeeps_OnlyTheLastAreRead()
    {
        var tail = new StderrTail();
        tail.Add("Error: an old failure, long gone");
        for (var i = 0; i < StderrTail.Capacity; i++)
        {
            tail.Add($"serving request {i}");
        }

        Assert.Equal($"serving request {StderrTail.Capacity - 1}", tail.TellingLine());
    }
}
