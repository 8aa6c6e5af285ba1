using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using TaskFlow.Core.Templates;

namespace TaskFlow.Chaos.Fuzz;

/// <summary>
/// The template evaluator fuzzed with placeholders built from its own tokens (paths, literals,
/// operators, functions, brackets) in random order, rendered against a random scope. A template
/// is either refused with <see cref="TemplateSyntaxException"/> or renders, or fails with
/// <see cref="TemplateEvaluationException"/>; both must say what is wrong. Anything else thrown
/// is a crash.
/// </summary>
public static class TemplateFuzzer
{
    private static readonly string[] Tokens =
    [
        "input", "vars", "nodes", "item", "index", "output", "instance", "attempt", "secrets", ".", ".x", ".items", "[0]", "[-1]", "['a']", "[\"b\"]",
        "1", "0", "-1", "2.5", "1e308", "9999999999999999999999", "'text'", "\"q\"", "''", "true", "false", "null",
        "+", "-", "*", "/", "%", "==", "!=", "<", "<=", ">", ">=", "&&", "||", "!", "?", ":", ",", "(", ")", "[", "]", "{", "}",
        "length(", "range(", "upper(", "lower(", "string(", "number(", "join(", "contains(", "default(", "json(", "keys(", "nosuch(",
        " ", "{{", "}}", "'", "\\", "é", "\u0000",
    ];

    public static FuzzFigures Run(int cases, int seed)
    {
        var random = new Random(seed);
        var mutator = new JsonMutator(random);
        var figures = new FuzzFigures("fuzz-templates", seed);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < cases; i++)
        {
            var text = RandomTemplate(random);
            figures.Cases++;
            try
            {
                var template = Template.Parse(text);
                var scope = new JsonObject
                {
                    ["input"] = mutator.RandomValue(),
                    ["vars"] = mutator.RandomValue(),
                    ["nodes"] = new JsonObject { ["a"] = new JsonObject { ["output"] = mutator.RandomValue() } },
                    ["item"] = mutator.RandomValue(),
                    ["index"] = random.Next(-2, 5),
                };
                template.Render(scope);
                figures.Accepted++;
            }
            catch (TemplateSyntaxException ex)
            {
                Rejected(figures, ex.Message, text);
            }
            catch (TemplateEvaluationException ex)
            {
                Rejected(figures, ex.Message, text);
            }
            catch (Exception ex)
            {
                figures.Fail($"{ex.GetType().Name}: {ex.Message}", text);
            }
        }

        figures.Elapsed = clock.Elapsed;
        return figures;
    }

    private static void Rejected(FuzzFigures figures, string message, string text)
    {
        figures.Rejected++;
        if (string.IsNullOrWhiteSpace(message))
        {
            figures.Fail("a rejection without a message", text);
        }
    }

    private static string RandomTemplate(Random random)
    {
        var builder = new StringBuilder();
        if (random.Next(3) == 0)
        {
            builder.Append("text ");
        }

        for (var placeholder = random.Next(1, 3); placeholder > 0; placeholder--)
        {
            builder.Append("{{ ");
            for (var t = random.Next(1, 12); t > 0; t--)
            {
                builder.Append(Tokens[random.Next(Tokens.Length)]);
                if (random.Next(2) == 0)
                {
                    builder.Append(' ');
                }
            }

            if (random.Next(10) > 0)
            {
                builder.Append(" }}");
            }
        }

        return builder.ToString();
    }
}
