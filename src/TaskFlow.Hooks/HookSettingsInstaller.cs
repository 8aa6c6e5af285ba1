using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TaskFlow.Hooks;

/// <summary>
/// Merges TaskFlow's hook entries into a Claude Code <c>.claude/settings.json</c>: every entry and
/// key already there stays as it is, an entry already present is not added twice, and the file is
/// replaced atomically (written beside it, then renamed).
/// </summary>
internal static class HookSettingsInstaller
{
    public const string TaskMatcher = "Task|Agent";

    /// <summary>The events TaskFlow listens to, with their matcher (null: the event has none).</summary>
    public static readonly (string Event, string? Matcher)[] Entries =
    [
        ("PreToolUse", TaskMatcher),
        ("PostToolUse", TaskMatcher),
        ("PostToolUseFailure", TaskMatcher),
        ("SubagentStart", null),
        ("SubagentStop", null),
        // The end of every turn: changes a live plan's server missed (it was slow or down) are sent
        // then, so they never wait for a turn that may not come. Without a server it does nothing.
        ("Stop", null),
    ];

    /// <summary>Installs into <paramref name="settingsPath"/>; returns how many entries were added, or throws <see cref="InvalidDataException"/> when the file cannot be merged (it is then left untouched).</summary>
    public static int Install(string settingsPath, string command, int timeoutSeconds)
    {
        var settings = Load(settingsPath);
        if (settings["hooks"] is null)
        {
            settings["hooks"] = new JsonObject();
        }

        if (settings["hooks"] is not JsonObject hooks)
        {
            throw new InvalidDataException($"{settingsPath}: \"hooks\" is not an object. Nothing was changed.");
        }

        var added = 0;
        foreach (var (eventName, matcher) in Entries)
        {
            if (hooks[eventName] is null)
            {
                hooks[eventName] = new JsonArray();
            }

            if (hooks[eventName] is not JsonArray groups)
            {
                throw new InvalidDataException($"{settingsPath}: \"hooks.{eventName}\" is not a list. Nothing was changed.");
            }

            if (groups.OfType<JsonObject>().Any(g => HookJson.Text(g["matcher"]) == matcher && g["hooks"] is JsonArray list
                && list.OfType<JsonObject>().Any(h => HookJson.Text(h["command"]) == command)))
            {
                continue;
            }

            var group = new JsonObject();
            if (matcher is not null)
            {
                group["matcher"] = matcher;
            }

            group["hooks"] = new JsonArray(new JsonObject { ["type"] = "command", ["command"] = command, ["timeout"] = timeoutSeconds });
            groups.Add((JsonNode)group);
            added++;
        }

        if (added > 0 || !File.Exists(settingsPath))
        {
            Save(settingsPath, settings);
        }

        return added;
    }

    /// <summary>
    /// Sets variables in the settings file's <c>env</c>, which Claude Code applies to every session
    /// and so to its hooks (<c>TASKFLOW_URL</c>, <c>TASKFLOW_API_KEY</c>). Other variables stay.
    /// Returns the names whose value changed; throws <see cref="InvalidDataException"/> when the file
    /// cannot be merged (it is then left untouched).
    /// </summary>
    public static IReadOnlyList<string> SetEnvironment(string settingsPath, IReadOnlyDictionary<string, string> variables)
    {
        var settings = Load(settingsPath);
        if (settings["env"] is null)
        {
            settings["env"] = new JsonObject();
        }

        if (settings["env"] is not JsonObject env)
        {
            throw new InvalidDataException($"{settingsPath}: \"env\" is not an object. Nothing was changed.");
        }

        var changed = new List<string>();
        foreach (var (name, value) in variables)
        {
            if (HookJson.Text(env[name]) != value)
            {
                env[name] = value;
                changed.Add(name);
            }
        }

        if (changed.Count > 0)
        {
            Save(settingsPath, settings);
        }

        return changed;
    }

    /// <summary>The settings file as an object; an empty one when it does not exist.</summary>
    private static JsonObject Load(string settingsPath)
    {
        if (!File.Exists(settingsPath))
        {
            return [];
        }

        var text = File.ReadAllText(settingsPath);
        try
        {
            return JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true }) as JsonObject
                ?? throw new InvalidDataException($"{settingsPath} is not a JSON object; Claude Code settings are one object. Nothing was changed.");
        }
        catch (JsonException ex)
        {
            // Comments are refused too: writing the merged file back would drop them.
            throw new InvalidDataException($"{settingsPath} is not valid JSON ({ex.Message}). Fix or remove it, then run taskflow hooks install again. Nothing was changed.", ex);
        }
    }

    /// <summary>Replaces the file atomically: written beside it, then renamed over it.</summary>
    private static void Save(string settingsPath, JsonObject settings)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settingsPath))!);
        var temp = $"{settingsPath}.{Environment.ProcessId}.tmp";
        try
        {
            File.WriteAllText(temp, settings.ToJsonString(HookJson.Indented) + "\n", new UTF8Encoding(false));
            File.Move(temp, settingsPath, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>The native hook executable's file name; <c>hooks install</c> prefers it when it sits beside the CLI.</summary>
    public const string NativeExecutable = "taskflow-hook";

    /// <summary>
    /// The command that runs the hook: the native <c>taskflow-hook</c> beside this executable (tens of
    /// milliseconds per event), else this executable's apphost, <c>dotnet taskflow.dll</c>, or
    /// <c>taskflow</c> from PATH with <c>hook</c>.
    /// </summary>
    public static string DefaultCommand(string? baseDirectory = null)
    {
        var native = Path.Combine(baseDirectory ?? AppContext.BaseDirectory, NativeExecutable);
        if (File.Exists(native))
        {
            return Quote(native);
        }

        var process = Environment.ProcessPath;
        if (process is not null && Path.GetFileNameWithoutExtension(process).StartsWith("taskflow", StringComparison.OrdinalIgnoreCase))
        {
            return Quote(process) + " hook";
        }

        var assembly = Path.Combine(AppContext.BaseDirectory, "taskflow.dll");
        if (process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet" && File.Exists(assembly))
        {
            return $"{Quote(process)} {Quote(assembly)} hook";
        }

        return "taskflow hook";
    }

    private static string Quote(string path) => path.Any(c => char.IsWhiteSpace(c) || c is '\'' or '"' or '$' or '&' or ';') ? "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'" : path;
}
