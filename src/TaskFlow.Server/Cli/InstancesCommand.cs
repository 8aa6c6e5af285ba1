using System.CommandLine;
using TaskFlow.Server.Auth;

namespace TaskFlow.Server.Cli;

/// <summary><c>taskflow instances list|show|cancel|retry|delete</c>: against a running server, over HTTP.</summary>
internal static partial class InstancesCommand
{
    private static readonly Option<string> Server = new("--server")
    {
        Description = "The server's URL. Also TASKFLOW_URL.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("TASKFLOW_URL") ?? "http://127.0.0.1:5080",
    };

    private static readonly Option<string?> Key = new("--key") { Description = "The API key. Also TASKFLOW_API_KEY; otherwise the api-key file in --data, if there is one." };
    private static readonly Option<string> Data = new("--data") { Description = "Data folder of a local server, to read its generated API key.", DefaultValueFactory = _ => ".taskflow" };

    public static Command Create()
    {
        var command = new Command("instances", "List, show, cancel, retry or delete instances on a running server.");
        command.Subcommands.Add(List());
        command.Subcommands.Add(Show());
        command.Subcommands.Add(Cancel());
        command.Subcommands.Add(Bulk("retry", "Retry the failed nodes of failed instances, chosen by filter or by ids, as a background operation."));
        command.Subcommands.Add(Bulk("delete", "Delete finished instances, chosen by filter or by ids, as a background operation."));
        return command;
    }

    private static Command List()
    {
        var status = new Option<string?>("--status") { Description = "Only instances with this status: Running, Succeeded, Failed or Cancelled." };
        var skip = new Option<int>("--skip") { DefaultValueFactory = _ => 0 };
        var take = new Option<int>("--take") { DefaultValueFactory = _ => 50 };
        var command = new Command("list", "List instances, newest first.") { status, skip, take, Server, Key, Data };
        command.SetAction((result, cancellationToken) =>
        {
            var query = $"api/instances?skip={result.GetValue(skip)}&take={result.GetValue(take)}";
            if (result.GetValue(status) is { } s)
            {
                query += "&status=" + Uri.EscapeDataString(s);
            }

            return SendAsync(result, HttpMethod.Get, query, cancellationToken);
        });
        return command;
    }

    private static Command Show()
    {
        var id = new Argument<string>("id") { Description = "The instance id." };
        var command = new Command("show", "Show an instance with its node states and outputs.") { id, Server, Key, Data };
        command.SetAction((result, cancellationToken) => SendAsync(result, HttpMethod.Get, "api/instances/" + Uri.EscapeDataString(result.GetValue(id)!), cancellationToken));
        return command;
    }

    private static Command Cancel()
    {
        var command = Bulk("cancel", "Cancel running instances and their children: one by id at once, or many (by filter or ids) as a background operation.");
        // One id and no filter: the immediate single cancel, answered with the instance.
        command.SetAction((result, cancellationToken) => result.GetValue(Ids) is [var id] && BulkFilter(result).Count == 0 && !result.GetValue(All)
            ? SendAsync(result, HttpMethod.Post, "api/instances/" + Uri.EscapeDataString(id) + "/cancel", cancellationToken)
            : RunBulkAsync(result, "cancel", cancellationToken));
        return command;
    }

    private static async Task<int> SendAsync(ParseResult result, HttpMethod method, string path, CancellationToken cancellationToken)
    {
        using var client = ServerClient.Create(result.GetValue(Server)!, ResolveKey(result));
        var (body, error) = await client.SendAsync(method, path, cancellationToken);
        if (error is not null)
        {
            await Console.Error.WriteLineAsync(error);
            return 1;
        }

        Console.WriteLine(body?.ToJsonString(CliJson.Options) ?? "");
        return 0;
    }

    private static string? ResolveKey(ParseResult result)
    {
        if (result.GetValue(Key) is { Length: > 0 } key)
        {
            return key;
        }

        if (Environment.GetEnvironmentVariable("TASKFLOW_API_KEY") is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        var file = EmbeddedApiKey.PathIn(result.GetValue(Data)!);
        return File.Exists(file) ? File.ReadAllText(file).Trim() : null;
    }
}
