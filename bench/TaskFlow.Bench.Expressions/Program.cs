using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using TaskFlow.Core.Scripting;
using TaskFlow.Core.Templates;

// Usage: dotnet run -c Release --project bench/TaskFlow.Bench.Expressions -- [--iterations 200000] [--warmups 50000]
// Evaluates edge conditions the way the scheduler does (a scope object built beforehand, the
// expression parsed once) in the template language and in JavaScript, one call at a time, and
// prints p50/p90/p99 per call and the bytes allocated per call.
var iterations = int.Parse(Arg("--iterations") ?? "200000", CultureInfo.InvariantCulture);
var warmups = int.Parse(Arg("--warmups") ?? "50000", CultureInfo.InvariantCulture);

var small = JsonNode.Parse("""
    { "input": { "kind": "a", "customer": "c-17" }, "vars": { "amount": 1500, "region": "eu" },
      "nodes": {}, "instance": { "id": "i-1", "depth": 0 }, "output": { "ok": true } }
    """)!.AsObject();
var large = JsonNode.Parse(small.ToJsonString())!.AsObject();
for (var i = 0; i < 50; i++)
{
    large["input"]![$"field{i}"] = $"value number {i}";
    large["vars"]![$"var{i}"] = new JsonObject { ["n"] = i, ["tags"] = new JsonArray("x", "y") };
}

Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; iterations = {iterations}, warm-ups = {warmups}");
Measure("template", "vars.amount > 1000 && input.kind == 'a'", small, s => TemplateExpression.Parse(s));
Measure("javascript", "getVariable('amount') > 1000 && input.kind == 'a'", small, s => TemplateExpression.FromJson(ScriptObject.FromJavaScript(s)));
Measure("javascript", "vars.amount > 1000 && input.kind == 'a'", small, s => TemplateExpression.FromJson(ScriptObject.FromJavaScript(s)));
Measure("template, 50 inputs and 50 vars", "vars.amount > 1000 && input.kind == 'a'", large, s => TemplateExpression.Parse(s));
Measure("javascript, 50 inputs and 50 vars", "getVariable('amount') > 1000 && input.kind == 'a'", large, s => TemplateExpression.FromJson(ScriptObject.FromJavaScript(s)));
Measure("javascript, output only", "output.ok === true", small, s => TemplateExpression.FromJson(ScriptObject.FromJavaScript(s)));
return 0;

void Measure(string language, string source, JsonObject scope, Func<string, TemplateExpression> parse)
{
    var expression = parse(source);
    if (!expression.EvaluateCondition(scope))
    {
        throw new InvalidOperationException($"'{source}' is false on the bench scope.");
    }

    for (var i = 0; i < warmups; i++)
    {
        expression.EvaluateCondition(scope);
    }

    var samples = new double[iterations];
    var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
    for (var i = 0; i < iterations; i++)
    {
        var start = Stopwatch.GetTimestamp();
        expression.EvaluateCondition(scope);
        samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
    }

    var allocated = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)iterations;
    Array.Sort(samples);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{language,-36} {source,-52} p50 {samples[iterations / 2],7:0.00} us  p90 {samples[iterations * 9 / 10],7:0.00} us  p99 {samples[iterations * 99 / 100],7:0.00} us  {allocated,6:0} B/call"));
}

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
