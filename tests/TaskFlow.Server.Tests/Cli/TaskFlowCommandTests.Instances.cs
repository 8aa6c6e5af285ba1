using System.Text;
using System.Text.Json.Nodes;

namespace TaskFlow.Server.Tests.Cli;

public sealed partial class TaskFlowCommandTests
{
    [Fact]
    public async Task InstancesCancel_ByFilter_PrintsProgressAndSummary_SingleIdStillCancelsAtOnce()
    {
        using var server = Start("serve", "--urls", "http://127.0.0.1:0", "--data", _data);
        var url = await WaitForLineAsync(server, BannerUrl(), TimeSpan.FromSeconds(60));
        try
        {
            var match = BannerUrl().Match(url);
            var (address, key) = (match.Groups["address"].Value, match.Groups["key"].Value);
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            http.DefaultRequestHeaders.Add("X-Api-Key", key);
            foreach (var id in new[] { "waits", "other" })
            {
                //  wait(event go): stays running until an event named go arrives
                using var saved = await http.PostAsync("/api/definitions", Json($$"""{ "id": "{{id}}", "nodes": [ { "id": "wait", "type": "event", "inputs": { "name": "go" } } ], "edges": [] }"""));
                Assert.True(saved.IsSuccessStatusCode, await saved.Content.ReadAsStringAsync());
            }

            for (var i = 0; i < 3; i++)
            {
                (await http.PostAsync("/api/definitions/waits/run", null)).Dispose();
            }

            using var otherRun = await http.PostAsync("/api/definitions/other/run", null);
            var other = (string)JsonNode.Parse(await otherRun.Content.ReadAsStringAsync())!["id"]!;

            var (bulkCode, bulkOutput) = await RunAsync(TimeSpan.FromSeconds(60), "instances", "cancel", "--status", "Running", "--definition", "waits", "--server", address, "--key", key);
            var (refusedCode, refusedOutput) = await RunAsync(TimeSpan.FromSeconds(60), "instances", "delete", "--server", address, "--key", key);
            var (singleCode, singleOutput) = await RunAsync(TimeSpan.FromSeconds(60), "instances", "cancel", other, "--server", address, "--key", key);

            Assert.True(bulkCode == 0, bulkOutput);
            Assert.Contains("3/3 handled (3 done, 0 skipped, 0 failed)", bulkOutput, StringComparison.Ordinal);
            Assert.Contains("completed: 3 instances, 3 done, 0 skipped, 0 failed.", bulkOutput, StringComparison.Ordinal);
            Assert.Equal(1, refusedCode);
            Assert.Contains("The filter is empty, so the delete would cover every instance", refusedOutput, StringComparison.Ordinal);
            Assert.True(singleCode == 0, singleOutput);
            Assert.Equal("Cancelled", (string?)JsonNode.Parse(singleOutput)!["status"]);
            var running = JsonNode.Parse(await http.GetStringAsync("/api/instances?status=Running"))!["items"]!.AsArray();
            Assert.Empty(running);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
