using System.CommandLine;
using System.Security.Cryptography;
using TaskFlow.Server.Auth;

namespace TaskFlow.Server.Cli;

/// <summary>
/// <c>taskflow keys add|revoke|list</c>: named API keys with a role in a keys file, which a running
/// server (and worker) reads again when it changes, so no restart is needed. The file holds only
/// each key's SHA-256; <c>add</c> prints the new key once.
/// </summary>
internal static class KeysCommand
{
    private static readonly Option<string?> File = new("--file")
    {
        Description = "The keys file (TaskFlow:Server:KeysFile of the server). Also TASKFLOW_KEYS_FILE.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("TASKFLOW_KEYS_FILE"),
    };

    public static Command Create()
    {
        var command = new Command("keys", "Add, revoke or list named API keys with a role (admin, operator, viewer, metrics) in a keys file; a running server picks changes up without a restart.");
        command.Subcommands.Add(Add());
        command.Subcommands.Add(Revoke());
        command.Subcommands.Add(List());
        return command;
    }

    private static Command Add()
    {
        var name = new Argument<string>("name") { Description = "Who the key is for: shown in messages and recorded in the journal." };
        var role = new Option<string>("--role") { Description = "admin, operator, viewer or metrics.", Required = true };
        var command = new Command("add", "Creates a key, stores its SHA-256 in the keys file and prints the key (once: it is not stored).") { name, role, File };
        command.SetAction(result => Run(result, path =>
        {
            var entries = ReadOrEmpty(path);
            var keyName = result.GetValue(name)!;
            if (entries.Any(e => e.Name == keyName))
            {
                throw new FormatException($"A key named '{keyName}' is already in {path}; revoke it first, or choose another name.");
            }

            var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            var entry = new ApiKeyOptions { Name = keyName, Role = result.GetValue(role)!.ToLowerInvariant(), Sha256 = Convert.ToHexStringLower(ApiKeyRing.Hash(key)) };
            ApiKeyRing.Parse(entry, "--role");
            ApiKeyRing.WriteFile(path, [.. entries, entry]);
            Console.WriteLine(key);
            Console.Error.WriteLine($"Added key '{keyName}' ({entry.Role}) to {path}. This is the only time the key is shown.");
        }));
        return command;
    }

    private static Command Revoke()
    {
        var name = new Argument<string>("name");
        var command = new Command("revoke", "Removes a key from the keys file; a running server refuses it within a second or so.") { name, File };
        command.SetAction(result => Run(result, path =>
        {
            var entries = ReadOrEmpty(path);
            var keyName = result.GetValue(name)!;
            if (entries.RemoveAll(e => e.Name == keyName) == 0)
            {
                throw new FormatException($"No key named '{keyName}' is in {path}.");
            }

            ApiKeyRing.WriteFile(path, entries);
            Console.Error.WriteLine($"Revoked key '{keyName}' in {path}.");
        }));
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "Lists the keys of the keys file: name and role.") { File };
        command.SetAction(result => Run(result, path =>
        {
            foreach (var entry in ReadOrEmpty(path))
            {
                Console.WriteLine($"{entry.Name}\t{entry.Role}");
            }
        }));
        return command;
    }

    private static int Run(ParseResult result, Action<string> action)
    {
        if (result.GetValue(File) is not { Length: > 0 } path)
        {
            Console.Error.WriteLine("Name the keys file: --file PATH (or TASKFLOW_KEYS_FILE), the file the server's TaskFlow:Server:KeysFile names.");
            return 2;
        }

        try
        {
            action(path);
            return 0;
        }
        catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
    }

    private static List<ApiKeyOptions> ReadOrEmpty(string path) => System.IO.File.Exists(path) ? ApiKeyRing.ReadFile(path) : [];
}
