using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace TaskFlow.Server.Cli;

// cancel, retry and delete on many instances: starts a bulk operation, prints its progress
// while it runs and a summary with every instance skipped or failed, and why.
internal static partial class InstancesCommand
{
    private static readonly Argument<string[]> Ids = new("ids") { Description = "Instance ids; leave out to choose by filter.", Arity = ArgumentArity.ZeroOrMore };
    private static readonly Option<bool> All = new("--all") { Description = "Mean every instance when no filter is given." };

    // Option name -> filter member of the API.
    private static readonly (Option<string?> Option, string Member)[] FilterOptions =
    [
        (new Option<string?>("--definition") { Description = "Only instances of this definition id." }, "definition"),
        (new Option<string?>("--version") { Description = "Only instances of this definition version." }, "version"),
        (new Option<string?>("--status") { Description = "Only instances with this status: Running, Succeeded, Failed or Cancelled." }, "status"),
        (new Option<string?>("--correlation-id") { Description = "Only instances started with this correlation id." }, "correlationId"),
        (new Option<string?>("--created-after") { Description = "Only instances created at or after this time (ISO 8601)." }, "createdAfter"),
        (new Option<string?>("--created-before") { Description = "Only instances created before this time (ISO 8601)." }, "createdBefore"),
        (new Option<string?>("--finished-after") { Description = "Only instances finished at or after this time (ISO 8601)." }, "finishedAfter"),
        (new Option<string?>("--finished-before") { Description = "Only instances finished before this time (ISO 8601)." }, "finishedBefore"),
        (new Option<string?>("--search") { Description = "Only instances whose input contains this text (case-sensitive)." }, "q"),
    ];

    private static Command Bulk(string kind, string description)
    {
        var command = new Command(kind, description) { Ids, All, Server, Key, Data };
        foreach (var (option, _) in FilterOptions)
        {
            command.Options.Add(option);
        }

        command.SetAction((result, cancellationToken) => RunBulkAsync(result, kind, cancellationToken));
        return command;
    }

    private static JsonObject BulkFilter(ParseResult result)
    {
        var filter = new JsonObject();
        foreach (var (option, member) in FilterOptions)
        {
            if (result.GetValue(option) is { } value)
            {
                filter[member] = value;
            }
        }

        return filter;
    }

    private static async Task<int> RunBulkAsync(ParseResult result, string kind, CancellationToken cancellationToken)
    {
        var ids = result.GetValue(Ids) ?? [];
        var filter = BulkFilter(result);
        if (ids.Length > 0 && filter.Count > 0)
        {
            await Console.Error.WriteLineAsync("Give instance ids or filter options, not both.");
            return 1;
        }

        JsonObject body = ids.Length > 0
            ? new JsonObject { ["ids"] = new JsonArray(ids.Select(i => (JsonNode?)i).ToArray()) }
            : new JsonObject { ["filter"] = filter, ["all"] = result.GetValue(All) };

        using var client = ServerClient.Create(result.GetValue(Server)!, ResolveKey(result));
        var (started, error) = await client.SendAsync(HttpMethod.Post, "api/instances/bulk/" + kind, body, cancellationToken);
        if (error is not null)
        {
            await Console.Error.WriteLineAsync(error);
            return 1;
        }

        var id = (string)started!["id"]!;
        Console.WriteLine($"Bulk {kind} {id} started.");
        var last = "";
        JsonNode? view;
        while (true)
        {
            (view, error) = await client.SendAsync(HttpMethod.Get, $"api/instances/bulk/{Uri.EscapeDataString(id)}?results=false", cancellationToken);
            if (error is not null)
            {
                await Console.Error.WriteLineAsync(error);
                return 1;
            }

            var progress = Progress(view!);
            if (progress != last)
            {
                Console.WriteLine(progress);
                last = progress;
            }

            if ((string?)view!["status"] == "Completed")
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
        }

        (view, error) = await client.SendAsync(HttpMethod.Get, $"api/instances/bulk/{Uri.EscapeDataString(id)}", cancellationToken);
        if (error is not null)
        {
            await Console.Error.WriteLineAsync(error);
            return 1;
        }

        foreach (var row in view!["results"]!.AsArray().Where(r => (string?)r!["outcome"] is "Skipped" or "Failed"))
        {
            Console.WriteLine($"  {(string?)row!["instanceId"]} {((string?)row["outcome"])!.ToLowerInvariant()}: {(string?)row["reason"]}");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Bulk {kind} {id} completed: {(int)view["total"]!} instances, {(int)view["done"]!} done, {(int)view["skipped"]!} skipped, {(int)view["failed"]!} failed."));
        return (int)view["failed"]! > 0 ? 1 : 0;
    }

    private static string Progress(JsonNode view) => string.Create(CultureInfo.InvariantCulture,
        $"{(int)view["total"]! - (int)view["pending"]!}/{(int)view["total"]!} handled ({(int)view["done"]!} done, {(int)view["skipped"]!} skipped, {(int)view["failed"]!} failed)");
}
