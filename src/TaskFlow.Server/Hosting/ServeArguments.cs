namespace TaskFlow.Server.Hosting;

/// <summary>Turns <c>taskflow [serve] [--postgres CS] [--data DIR] [--urls URLS] ...</c> into host configuration arguments.</summary>
internal static class ServeArguments
{
    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["--postgres"] = "--TaskFlow:Engine:PostgresConnectionString",
        ["--data"] = "--TaskFlow:Engine:DataDirectory",
    };

    public static string[] ToHostArguments(string[] args)
    {
        var rest = args.Length > 0 && args[0] == "serve" ? args[1..] : args;
        var result = new List<string>(rest.Length);
        for (var i = 0; i < rest.Length; i++)
        {
            var (name, value) = rest[i].Split('=', 2) is [var n, var v] ? (n, v) : (rest[i], null);
            if (Aliases.TryGetValue(name, out var key))
            {
                result.Add(key);
                result.Add(value ?? (i + 1 < rest.Length ? rest[++i] : ""));
            }
            else
            {
                result.Add(rest[i]);
            }
        }

        return [.. result];
    }
}
