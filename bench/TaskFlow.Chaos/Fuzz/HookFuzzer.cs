using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TaskFlow.Chaos.Harness;
using TaskFlow.Hooks;

namespace TaskFlow.Chaos.Fuzz;

/// <summary>
/// The Claude Code hook's stdin fuzzed: the hooks reference's example inputs (kept in
/// tests/TaskFlow.Server.Tests/Hooks/Reference) mutated in one to three places, random JSON, text
/// that is not JSON, and input past the size limit, each run through the hook as
/// <c>taskflow hook</c> runs it, against one plan store. The hook must answer every input with
/// exit 0, 1 or 2; 1 and 2 with a reason on stderr; stdout, when it writes any, must be one JSON
/// object; and an input it refuses (exit 1) must leave the plan store as it was. Anything thrown
/// out of the hook is a crash.
/// </summary>
public static class HookFuzzer
{
    public static async Task<FuzzFigures> RunAsync(int cases, int seed)
    {
        var random = new Random(seed);
        var mutator = new JsonMutator(random);
        var figures = new FuzzFigures("fuzz-hook-stdin", seed);
        var examples = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "tests", "TaskFlow.Server.Tests", "Hooks", "Reference"), "*.json").Select(File.ReadAllText).ToArray();
        var folder = Directory.CreateTempSubdirectory("taskflow-hook-fuzz-").FullName;
        var store = Path.Combine(folder, "store");
        var before = (Store: Environment.GetEnvironmentVariable(HookPlanStore.DirectoryVariable), Url: Environment.GetEnvironmentVariable("TASKFLOW_URL"));

        // Every plan goes to the fuzzer's folder, whatever cwd a mutated input names, and no server is called.
        Environment.SetEnvironmentVariable(HookPlanStore.DirectoryVariable, store);
        Environment.SetEnvironmentVariable("TASKFLOW_URL", null);
        var exits = new int[3];
        var clock = Stopwatch.StartNew();
        try
        {
            var options = new HookOptions { MaxStdinBytes = 64 * 1024 };
            for (var i = 0; i < cases; i++)
            {
                var input = Input(random, mutator, examples, options.MaxStdinBytes);
                figures.Cases++;
                var stored = Snapshot(store);
                using var stdout = new StringWriter();
                using var stderr = new StringWriter();
                int exit;
                try
                {
                    exit = await HookRun.RunAsync(new MemoryStream(input), stdout, stderr, options);
                }
                catch (Exception ex)
                {
                    figures.Fail($"{ex.GetType().Name}: {ex.Message}", Show(input));
                    continue;
                }

                var (output, errors) = (stdout.ToString(), stderr.ToString());
                if (exit is < 0 or > 2)
                {
                    figures.Fail($"exit code {exit}", Show(input));
                    continue;
                }

                exits[exit]++;
                if (exit == 0)
                {
                    figures.Accepted++;
                }
                else
                {
                    figures.Rejected++;
                    if (string.IsNullOrWhiteSpace(errors))
                    {
                        figures.Fail($"exit {exit} with nothing on stderr", Show(input));
                    }
                }

                if (output.Trim().Length > 0 && !IsJsonObject(output))
                {
                    figures.Fail($"stdout is not one JSON object: {output[..Math.Min(200, output.Length)]}", Show(input));
                }

                if (exit == 1 && Snapshot(store) != stored)
                {
                    figures.Fail("an input refused with exit 1 changed the plan store", Show(input));
                }
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable(HookPlanStore.DirectoryVariable, before.Store);
            Environment.SetEnvironmentVariable("TASKFLOW_URL", before.Url);
            Directory.Delete(folder, recursive: true);
        }

        figures.Elapsed = clock.Elapsed;
        figures.Notes["exit 0/1/2"] = $"{exits[0]}/{exits[1]}/{exits[2]}";
        return figures;
    }

    private static byte[] Input(Random random, JsonMutator mutator, string[] examples, int limit) => random.Next(20) switch
    {
        0 => Encoding.UTF8.GetBytes(mutator.RandomDocument()),
        1 => Encoding.UTF8.GetBytes("not json at all: " + new string('x', random.Next(100))),
        2 => [0xFF, 0xFE, 0x00, 0x7B],
        3 => Encoding.UTF8.GetBytes(new string(' ', limit + 1) + "{}"),
        4 => [],
        _ => Encoding.UTF8.GetBytes(Sessioned(mutator.Mutate(examples[random.Next(examples.Length)]), random)),
    };

    /// <summary>A handful of session ids, so that later inputs meet the plans earlier ones stored.</summary>
    private static string Sessioned(string text, Random random)
    {
        try
        {
            if (JsonNode.Parse(text) is JsonObject input && input["session_id"] is JsonValue)
            {
                input["session_id"] = $"fuzz-session-{random.Next(4)}";
                return input.ToJsonString();
            }
        }
        catch (JsonException)
        {
            // Text that is no longer JSON is fuzzed as it is.
        }

        return text;
    }

    private static bool IsJsonObject(string text)
    {
        try
        {
            return JsonNode.Parse(text) is JsonObject;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>A digest of every file in the store (lock files aside), to tell whether an input changed it.</summary>
    private static string Snapshot(string store)
    {
        if (!Directory.Exists(store))
        {
            return "";
        }

        var builder = new StringBuilder();
        foreach (var file in Directory.GetFiles(store).Where(f => !f.EndsWith(".lock", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            builder.Append(Path.GetFileName(file)).Append(':').Append(Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(file)))).Append(';');
        }

        return builder.ToString();
    }

    private static string Show(byte[] input) => input.Length > 2000 ? $"({input.Length} bytes) " + Encoding.UTF8.GetString(input, 0, 200) : Encoding.UTF8.GetString(input);
}
