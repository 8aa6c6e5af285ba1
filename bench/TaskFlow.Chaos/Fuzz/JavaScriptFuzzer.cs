using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using TaskFlow.Core.Scripting;
using TaskFlow.Core.Templates;

namespace TaskFlow.Chaos.Fuzz;

/// <summary>
/// The JavaScript evaluator (Jint, sandboxed) fuzzed with scripts built from JavaScript's tokens,
/// the script API (<c>getVariable</c>, <c>setVariable</c>, <c>getOutputFrom</c>, ...), and the
/// shapes that hit a limit: endless loops, deep recursion, huge strings and arrays, regular
/// expressions that backtrack. A script is refused with <see cref="TemplateSyntaxException"/>,
/// evaluates, or fails with <see cref="TemplateEvaluationException"/>, each with a message;
/// anything else thrown is a crash, and so is an evaluation that outlasts its time limit by far.
/// </summary>
public static class JavaScriptFuzzer
{
    private static readonly string[] Tokens =
    [
        "input", "vars", "nodes", "item", "index", "output", "instance", "attempt", "secrets", "workflowInput", ".", ".x", ".items", ".length", "[0]", "[-1]", "['a']", "[\"b\"]",
        "1", "0", "-1", "2.5", "1e308", "NaN", "Infinity", "'text'", "\"q\"", "``", "`${1}`", "true", "false", "null", "undefined", "[]", "{}", "({a:1})", "[1,2,3]",
        "+", "-", "*", "/", "%", "**", "==", "===", "!=", "!==", "<", ">", "&&", "||", "??", "!", "?", ":", ",", ";", "(", ")", "[", "]", "{", "}", "=>", "=",
        "var x = ", "let y = ", "const z = ", "function f(a) { return ", "return ", "if (", "else ", "for (;;) ", "while (", "do ", "new ", "typeof ", "delete ", "in ", "of ", "this",
        "getVariable('amount')", "setVariable('x', ", "getOutputFrom('a')", "getInput('text')", "JSON.parse('{\"a\":1}')", "JSON.stringify(", "Math.max(", "Date.now()", "parseInt(",
        "Object.keys(", "Array.from(", ".map(x => x)", ".filter(Boolean)", ".join(',')", "String(", "Number(", "eval(", "Function(", "require('fs')", "globalThis", "process",
        "while (true) {}", "for (;;) {}", "(function r() { return r(); })()", "'x'.repeat(1e9)", "new Array(1e8).fill(0)", "/(a+)+$/.test('a'.repeat(30) + '!')",
        "Object.prototype.x = 1", "Array.prototype.push = null", "throw new Error('boom')", "throw 1", "await 1", "async () => 1", "function* g() { yield 1 }",
        " ", "\n", "'", "\"", "\\", "//", "/*", "*/", "é", "\u0000", "\uD800",
    ];

    /// <summary>Far more than the evaluator's time limit (1 s by default): an evaluation this long escaped it.</summary>
    private static readonly TimeSpan Escaped = TimeSpan.FromSeconds(10);

    public static FuzzFigures Run(int cases, int seed)
    {
        var random = new Random(seed);
        var mutator = new JsonMutator(random);
        var figures = new FuzzFigures("fuzz-javascript", seed);
        var clock = Stopwatch.StartNew();
        var limits = 0;
        for (var i = 0; i < cases; i++)
        {
            var source = RandomScript(random);
            figures.Cases++;
            // Each case runs on a thread of its own under a watchdog: one that escapes every limit
            // is reported with its script, and the fuzzer goes on without it.
            var scope = new JsonObject
            {
                ["input"] = mutator.RandomValue(),
                ["vars"] = new JsonObject { ["amount"] = random.Next(-5, 5000), ["x"] = mutator.RandomValue() },
                ["nodes"] = new JsonObject { ["a"] = new JsonObject { ["output"] = mutator.RandomValue() } },
                ["item"] = mutator.RandomValue(),
                ["index"] = random.Next(-2, 5),
            };
            var (condition, effects) = (random.Next(2) == 0, random.Next(2) == 0 ? new ScriptEffects() : null);
            var run = Task.Factory.StartNew(() => Evaluate(source, scope, condition, effects), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            if (!run.Wait(Escaped))
            {
                figures.Fail($"the evaluation ran past {Escaped.TotalSeconds:0} s, escaping every limit", source);
                continue;
            }

            switch (run.Result)
            {
                case null:
                    figures.Accepted++;
                    break;
                case TemplateSyntaxException or TemplateEvaluationException:
                    Rejected(figures, run.Result.Message, source);
                    if (run.Result is TemplateEvaluationException && run.Result.Message.Contains("limit", StringComparison.OrdinalIgnoreCase))
                    {
                        limits++;
                    }

                    break;
                default:
                    figures.Fail($"{run.Result.GetType().Name}: {run.Result.Message}", source);
                    break;
            }
        }

        figures.Elapsed = clock.Elapsed;
        figures.Notes["stopped by a limit"] = limits.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return figures;
    }

    /// <summary>Parses and evaluates one script; null when it evaluated, else what it threw.</summary>
    private static Exception? Evaluate(string source, JsonObject scope, bool condition, ScriptEffects? effects)
    {
        try
        {
            var script = JavaScriptExpression.Parse(source);
            if (condition)
            {
                script.EvaluateCondition(scope, effects ?? new ScriptEffects());
            }
            else
            {
                script.Evaluate(scope, effects);
            }

            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    private static void Rejected(FuzzFigures figures, string message, string source)
    {
        figures.Rejected++;
        if (string.IsNullOrWhiteSpace(message))
        {
            figures.Fail("a rejection without a message", source);
        }
    }

    /// <summary>Values a well-formed script reads or builds.</summary>
    private static readonly string[] Atoms =
    [
        "input", "input.x", "input.items", "input[0]", "vars.amount", "vars.x", "nodes.a.output", "nodes.missing.output", "item", "index", "1", "-1", "2.5", "1e308", "NaN",
        "'text'", "``", "null", "undefined", "[]", "{}", "({a:1})", "[1,2,3]", "getVariable('amount')", "getVariable('nope')", "getOutputFrom('a')", "JSON.parse('[1]')",
        "Date.now()", "Math.random()", "new Date(0)", "Symbol('s')", "10n", "/a+/", "new Map()", "new Set([1])", "Object.create(null)",
    ];

    private static readonly string[] Operators = ["+", "-", "*", "/", "%", "**", "==", "===", "<", ">", "&&", "||", "??", "in", "instanceof"];

    /// <summary>Whole statements that run into a limit, or try to leave the sandbox.</summary>
    private static readonly string[] Hostile =
    [
        "while (true) {}", "for (;;) { var a = [1]; }", "(function r() { return r(); })()", "'x'.repeat(1e9)", "'x'.repeat(1e6).repeat(100)", "new Array(1e8).fill(0)",
        "var a = []; for (var i = 0; i < 1e7; i++) a.push(i); a.length", "/(a+)+$/.test('a'.repeat(30) + '!')", "/(x+x+)+y/.test('x'.repeat(40))",
        "JSON.parse('['.repeat(100000))", "JSON.stringify(function(){})", "Object.prototype.polluted = 1", "Array.prototype.map = null; [1].map(x => x)",
        "setVariable('v', input)", "setVariable('', 1)", "setVariable('self', globalThis)", "eval('1+1')", "Function('return this')()", "require('fs')", "process.exit(1)",
        "import('fs')", "new Promise(() => {})", "Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)", "throw new Error('boom')", "throw { message: null }",
        "String.fromCharCode(0xD800)", "'\uD800'", "[].constructor.constructor('return 1')()", "arguments", "debugger",
    ];

    private static string WellFormed(Random random)
    {
        string Expression(int depth) => random.Next(depth > 2 ? 1 : 4) switch
        {
            0 => Atoms[random.Next(Atoms.Length)],
            1 => $"{Expression(depth + 1)} {Operators[random.Next(Operators.Length)]} {Expression(depth + 1)}",
            2 => $"({Expression(depth + 1)})?.length",
            _ => $"[{Expression(depth + 1)}, {Expression(depth + 1)}].map(v => {Expression(depth + 1)})",
        };

        var statements = new List<string>();
        for (var n = random.Next(1, 4); n > 0; n--)
        {
            statements.Add(random.Next(5) switch
            {
                0 => Hostile[random.Next(Hostile.Length)],
                1 => $"var v{n} = {Expression(0)}",
                _ => Expression(0),
            });
        }

        return string.Join("; ", statements);
    }

    private static string RandomScript(Random random)
    {
        if (random.Next(2) == 0)
        {
            return WellFormed(random);
        }

        var builder = new StringBuilder();
        for (var t = random.Next(1, 14); t > 0; t--)
        {
            builder.Append(Tokens[random.Next(Tokens.Length)]);
            if (random.Next(3) == 0)
            {
                builder.Append(' ');
            }
        }

        return builder.ToString();
    }
}
