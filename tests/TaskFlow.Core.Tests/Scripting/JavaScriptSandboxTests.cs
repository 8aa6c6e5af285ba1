using System.Text.Json.Nodes;
using TaskFlow.Core.Scripting;
using TaskFlow.Core.Templates;
using TaskFlow.Core.Tests.Templates;

namespace TaskFlow.Core.Tests.Scripting;

// Hostile scripts stop with an error that says which limit they hit, and the pooled engines they
// ran on give the next script a clean slate.
public class JavaScriptSandboxTests
{
    private static TemplateEvaluationException Fails(string source) =>
        Assert.Throws<TemplateEvaluationException>(() => JavaScriptExpression.Parse(source).Evaluate(TestScope.Create()));

    private static string Eval(string source) =>
        JavaScriptExpression.Parse(source).Evaluate(TestScope.Create())?.ToJsonString() ?? "null";

    [Fact]
    public void Evaluate_EndlessLoop_StopsAtTheStatementLimit()
    {
        var error = Fails("while (true) { }");

        Assert.Equal($"the script ran more than {JavaScriptEngines.Options.MaxStatements} statements (an endless loop?)", error.Reason);
    }

    [Fact]
    public void Evaluate_EndlessRecursion_StopsAtTheDepthLimit()
    {
        var error = Fails("function f(n) { return f(n + 1) + 1; } f(0)");

        Assert.Equal($"calls nested more than {JavaScriptEngines.Options.MaxRecursionDepth} deep (endless recursion?)", error.Reason);
    }

    [Fact]
    public void Evaluate_GrowingString_StopsAtTheMemoryLimit()
    {
        var error = Fails("let s = 'x'; for (let i = 0; i < 40; i++) { s = s + s; } s.length");

        Assert.StartsWith($"the script went over its memory limit of {JavaScriptEngines.Options.MemoryLimitBytes} bytes", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_GrowingArray_StopsAtTheMemoryLimit()
    {
        var error = Fails("const a = []; for (let i = 0; i < 1000; i++) { a.push('x'.repeat(100000) + i); } a.length");

        Assert.StartsWith("the script went over its memory limit", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_HugeArray_IsRefused()
    {
        var error = Fails("new Array(1e9).fill(0).length");

        Assert.Contains("larger than maximum allowed", error.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("System.IO.File.ReadAllText('/etc/passwd')", "ReferenceError: System is not defined")]
    [InlineData("importNamespace('System.IO')", "ReferenceError: importNamespace is not defined")]
    [InlineData("eval('1 + 1')", "TypeError: String compilation has been disabled")]
    [InlineData("new Function('return 1')()", "TypeError: String compilation has been disabled")]
    [InlineData("require('fs')", "ReferenceError: require is not defined")]

    // Found by the JavaScript fuzzer: Atomics.wait blocked the thread outside every limit, for good.
    [InlineData("Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)", "ReferenceError: Atomics is not defined")]
    [InlineData("new SharedArrayBuffer(4)", "ReferenceError: SharedArrayBuffer is not defined")]
    public void Evaluate_ReachingOutOfTheSandbox_IsAnError(string source, string reasonStart)
    {
        var error = Fails(source);

        Assert.StartsWith(reasonStart, error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_ClrReflectionThroughAFunction_FindsNothing()
    {
        Assert.Equal("[null,null]", Eval("[getVariable.GetType, (1).GetType]"));
    }

    [Fact]
    public void Evaluate_GlobalsDeclaredByOneScript_AreGoneForTheNext()
    {
        // Run often enough that the same pooled engine is certainly reused.
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal("2", Eval("let declared = 1; var hoisted = 1; leaked = 1; declared + hoisted"));
            Assert.Equal("\"undefined undefined undefined\"", Eval("typeof declared + ' ' + typeof hoisted + ' ' + typeof leaked"));
        }
    }

    [Fact]
    public void Evaluate_ChangedBuiltIns_AreNotSeenByTheNext()
    {
        for (var i = 0; i < 20; i++)
        {
            Eval("Array.prototype.sum = function () { return 1; }; Object.prototype.polluted = true; Math.max = () => 0; JSON.parse = null; getVariable = () => 'hijacked'; 1");
            Assert.Equal("[true,true,3,\"hello\"]", Eval("[[].sum === undefined, ({}).polluted === undefined, Math.max(1, 3), getVariable('greeting')]"));
        }
    }

    [Fact]
    public void Evaluate_OverridingToStringOnOwnObject_StillWorks()
    {
        Assert.Equal("\"mine\"", Eval("const o = {}; o.toString = () => 'mine'; String(o)"));
    }

    [Fact]
    public void Evaluate_ManyThreadsAtOnce_EachSeesItsOwnScope()
    {
        var script = JavaScriptExpression.Parse("let r = input.n; for (let i = 0; i < 50; i++) { r = r + 0; } r * 2");
        var results = new int[64];

        Parallel.For(0, results.Length, i =>
        {
            results[i] = script.Evaluate(new JsonObject { ["input"] = new JsonObject { ["n"] = i } })!.GetValue<int>();
        });

        Assert.Equal(Enumerable.Range(0, 64).Select(i => i * 2), results);
    }

    [Fact]
    public void Evaluate_AfterAHostileScript_TheEngineStillWorks()
    {
        Fails("while (true) { }");
        Fails("function f() { f(); } f()");

        Assert.Equal("4", Eval("2 + 2"));
    }

    [Fact]
    public void Evaluate_SlowScript_StopsAtTheTimeout()
    {
        // A pool of its own: the statement limit is out of the way, so only the clock can stop it.
        var pool = new JavaScriptEnginePool(new JavaScriptOptions { Timeout = TimeSpan.FromMilliseconds(200), MaxStatements = int.MaxValue });
        var script = JavaScriptExpression.Parse("while (true) { }");

        var error = Assert.Throws<TemplateEvaluationException>(() => pool.Evaluate(script, TestScope.Create(), null, static (_, v) => v.ToString()));

        Assert.Equal("the script ran longer than 0.2s", error.Reason);
    }

    [Fact]
    public void Evaluate_AsyncScript_GivesWhatThePromiseSettlesTo()
    {
        Assert.Equal("6", Eval("(async () => { const x = await Promise.resolve(input.count); return x * 2; })()"));
    }

    [Fact]
    public void Options_Invalid_ListsEveryProblem()
    {
        var error = Assert.Throws<ArgumentException>(() => JavaScriptEngines.Configure(new JavaScriptOptions { MaxStatements = 0, Timeout = TimeSpan.Zero, PoolSize = 0 }));

        Assert.Contains("MaxStatements is 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("Timeout is 00:00:00", error.Message, StringComparison.Ordinal);
        Assert.Contains("PoolSize is 0", error.Message, StringComparison.Ordinal);
    }
}
