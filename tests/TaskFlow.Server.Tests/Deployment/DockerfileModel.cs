using System.Text.Json;

namespace TaskFlow.Server.Tests.Deployment;

/// <summary>One instruction after comments are dropped and <c>\</c> continuations joined.</summary>
internal sealed record DockerInstruction(string Keyword, string Arguments, int Line);

/// <summary>A build stage: <c>FROM image [AS name]</c> and the instructions up to the next FROM.</summary>
internal sealed record DockerStage(string Image, string? Name, IReadOnlyList<DockerInstruction> Instructions)
{
    public IEnumerable<DockerInstruction> All(string keyword) => Instructions.Where(i => i.Keyword == keyword);

    public DockerInstruction? Last(string keyword) => All(keyword).LastOrDefault();

    /// <summary>The stage's <c>ENV KEY=VALUE</c> settings in order (later ones win).</summary>
    public IReadOnlyDictionary<string, string> Environment()
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var env in All("ENV"))
        {
            foreach (var word in DockerfileModel.Words(env.Arguments))
            {
                var (key, value) = word.Split('=', 2) is [var k, var v] ? (k, v) : throw new Xunit.Sdk.XunitException($"Dockerfile line {env.Line}: use ENV KEY=VALUE, not '{env.Arguments}'.");
                result[key] = value;
            }
        }

        return result;
    }
}

/// <summary>
/// A Dockerfile read the way the builder reads it, enough to check what the image runs: stages,
/// ENV, COPY sources, exec-form ENTRYPOINT/CMD/HEALTHCHECK. Parser directives and comments are skipped.
/// </summary>
internal sealed class DockerfileModel(IReadOnlyList<DockerStage> stages)
{
    public IReadOnlyList<DockerStage> Stages { get; } = stages;

    public DockerStage Final => Stages[^1];

    public static DockerfileModel Load(string path)
    {
        var stages = new List<DockerStage>();
        var current = new List<DockerInstruction>();
        string? image = null, name = null;
        foreach (var instruction in Instructions(File.ReadAllLines(path)))
        {
            if (instruction.Keyword == "FROM")
            {
                if (image is not null)
                {
                    stages.Add(new DockerStage(image, name, current));
                }

                var words = Words(instruction.Arguments).Where(w => !w.StartsWith("--", StringComparison.Ordinal)).ToList();
                (image, name) = words is [var from, var @as, var stageName] && @as.Equals("AS", StringComparison.OrdinalIgnoreCase) ? (from, stageName) : (words[0], null);
                current = [];
            }
            else
            {
                Assert.True(image is not null, $"Dockerfile line {instruction.Line}: {instruction.Keyword} before the first FROM.");
                current.Add(instruction);
            }
        }

        Assert.True(image is not null, $"{path} has no FROM.");
        stages.Add(new DockerStage(image, name, current));
        return new DockerfileModel(stages);
    }

    /// <summary>An exec-form (JSON array) argument list, e.g. <c>ENTRYPOINT ["dotnet", "taskflow.dll"]</c>.</summary>
    public static IReadOnlyList<string> ExecForm(string arguments, int line)
    {
        try
        {
            return JsonSerializer.Deserialize<string[]>(arguments) ?? throw new JsonException("null");
        }
        catch (JsonException ex)
        {
            throw new Xunit.Sdk.XunitException($"Dockerfile line {line}: '{arguments}' is not exec form (a JSON array of strings): {ex.Message}");
        }
    }

    /// <summary>Splits on whitespace, keeping double-quoted parts together (quotes removed).</summary>
    public static IReadOnlyList<string> Words(string text)
    {
        var words = new List<string>();
        var word = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (char.IsWhiteSpace(c) && !quoted)
            {
                if (word.Length > 0)
                {
                    words.Add(word.ToString());
                    word.Clear();
                }
            }
            else
            {
                word.Append(c);
            }
        }

        if (word.Length > 0)
        {
            words.Add(word.ToString());
        }

        return words;
    }

    private static IEnumerable<DockerInstruction> Instructions(string[] lines)
    {
        var text = new System.Text.StringBuilder();
        var start = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.StartsWith('#') || (line.Length == 0 && text.Length == 0))
            {
                // Comments (and parser directives) are dropped, also inside a continued instruction.
                continue;
            }

            if (text.Length == 0)
            {
                start = i + 1;
            }

            var continued = line.EndsWith('\\');
            text.Append(continued ? line[..^1] : line).Append(' ');
            if (!continued)
            {
                var full = text.ToString().Trim();
                text.Clear();
                if (full.Length == 0)
                {
                    continue;
                }

                var space = full.IndexOfAny([' ', '\t']);
                yield return space < 0
                    ? new DockerInstruction(full.ToUpperInvariant(), "", start)
                    : new DockerInstruction(full[..space].ToUpperInvariant(), full[(space + 1)..].Trim(), start);
            }
        }

        Assert.True(text.Length == 0, "The Dockerfile ends inside a continued line.");
    }
}
