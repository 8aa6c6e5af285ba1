using System.Diagnostics;
using System.Net;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Auth;

/// <summary><c>taskflow keys add|list|revoke</c> as a user runs them, against a running server reading the same keys file.</summary>
public sealed class KeysCommandTests
{
    [Fact]
    public async Task AddedKey_WorksWithItsRole_RevokedKey_IsRefused_WithoutARestart()
    {
        var folder = Directory.CreateTempSubdirectory("taskflow-keys-cli-").FullName;
        var file = Path.Combine(folder, "keys.json");
        try
        {
            var added = await TaskflowAsync("keys", "add", "ci-bot", "--role", "operator", "--file", file);
            Assert.True(added.ExitCode == 0, added.Error);
            var key = added.Output.Trim();
            Assert.Matches("^[0-9a-f]{64}$", key);
            Assert.DoesNotContain(key, await File.ReadAllTextAsync(file), StringComparison.Ordinal);
            Assert.Contains("ci-bot\toperator", (await TaskflowAsync("keys", "list", "--file", file)).Output, StringComparison.Ordinal);

            var again = await TaskflowAsync("keys", "add", "ci-bot", "--role", "viewer", "--file", file);
            Assert.Equal(1, again.ExitCode);
            Assert.Contains("A key named 'ci-bot' is already in", again.Error, StringComparison.Ordinal);
            var badRole = await TaskflowAsync("keys", "add", "x", "--role", "root", "--file", file);
            Assert.Equal(1, badRole.ExitCode);
            Assert.Contains("role 'root' is not one of admin, operator, viewer, metrics", badRole.Error, StringComparison.Ordinal);

            await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, new Dictionary<string, string?> { ["TaskFlow:Server:KeysFile"] = file });
            using var client = app.CreateAnonymousClient();
            client.DefaultRequestHeaders.Add("X-Api-Key", key);

            // An operator: runs (the definition does not exist: 404, not 403), but does not delete definitions.
            Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/api/definitions/none/run", TaskFlowApp.JsonBody("{}"))).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.DeleteAsync("/api/definitions/none")).StatusCode);

            var revoked = await TaskflowAsync("keys", "revoke", "ci-bot", "--file", file);
            Assert.True(revoked.ExitCode == 0, revoked.Error);
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while ((await client.GetAsync("/api/definitions", guard.Token)).StatusCode != HttpStatusCode.Unauthorized)
            {
                await Task.Delay(200, guard.Token);
            }

            Assert.Equal(1, (await TaskflowAsync("keys", "revoke", "ci-bot", "--file", file)).ExitCode);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task<(int ExitCode, string Output, string Error)> TaskflowAsync(params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "taskflow.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }
}
