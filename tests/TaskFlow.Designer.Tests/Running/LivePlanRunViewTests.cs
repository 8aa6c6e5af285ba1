using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using TaskFlow.Designer.Tests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace TaskFlow.Designer.Tests.Running;

/// <summary>
/// A Claude Code session's plan, run live from the hooks (<c>taskflow hook</c> with
/// <c>TASKFLOW_URL</c> naming the designer's server), as the designer's run view shows it: each
/// subtask's node waits for its agent, shows who claimed it, and succeeds when its subagent stops.
/// </summary>
[Collection(DesignerCollection.Name)]
public sealed class LivePlanRunViewTests(DesignerFixture fixture) : IDisposable
{
    private const string Session = "c41d6a2e-7f3b-4e58-9a1c-2b8d0e6f5a37";

    private readonly string _cwd = Directory.CreateTempSubdirectory("taskflow-live-designer-").FullName;

    public void Dispose() => Directory.Delete(_cwd, recursive: true);

    [Fact]
    public async Task SessionPlan_RunLiveFromTheHooks_ShowsEachSubagentsClaimAndResult_AsItHappens()
    {
        await HookAsync(Input("PreToolUse", new JsonObject
        {
            ["tool_name"] = "Agent",
            ["tool_input"] = new JsonObject { ["description"] = "Docs and tests", ["prompt"] = "- Write the docs\n- Write the tests", ["subagent_type"] = "general-purpose" },
            ["tool_use_id"] = "toolu_plan",
        }));
        var plan = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_cwd, ".taskflow", "hooks", Session + ".json")))!["plans"]![0]!;
        var (workflowId, instanceId) = (plan["workflowId"]!.GetValue<string>(), plan["instanceId"]!.GetValue<string>());

        await using var designer = await DesignerPage.OpenAsync(fixture, nameof(SessionPlan_RunLiveFromTheHooks_ShowsEachSubagentsClaimAndResult_AsItHappens));
        var page = designer.Page;
        await page.GetByTestId("open").SelectOptionAsync(workflowId);
        await page.GetByTestId("tab-run").ClickAsync();
        await page.GetByTestId($"instance-{instanceId}").ClickAsync();
        await Expect(page.GetByTestId("instance-correlation")).ToHaveTextAsync($"claude-code/{Session}/{workflowId}");
        await Expect(page.GetByTestId("timeline-row-s1")).ToHaveAttributeAsync("data-status", "waiting");
        await Expect(page.GetByTestId("timeline-row-s2")).ToHaveAttributeAsync("data-status", "waiting");
        await page.GetByTestId("timeline-row-s1").GetByRole(Microsoft.Playwright.AriaRole.Button).First.ClickAsync();
        await Expect(page.GetByTestId("agent-wait")).ToHaveAttributeAsync("data-status", "ready");

        // The first subagent is launched in the background: its node is claimed by it.
        await HookAsync(Launched("s1", "agent-docs"));
        await Expect(page.GetByTestId("agent-wait")).ToHaveAttributeAsync("data-status", "claimed");
        await Expect(page.GetByTestId("agent-wait-state")).ToContainTextAsync("agent-docs");
        await designer.ScreenshotAsync("claimed");

        // Its SubagentStop: the node succeeds with the subagent's last message, live.
        await HookAsync(Stopped("agent-docs", "Docs written."));
        await Expect(page.GetByTestId("timeline-row-s1")).ToHaveAttributeAsync("data-status", "succeeded");
        await Expect(page.GetByTestId("node-details-output")).ToContainTextAsync("Docs written.");
        await Expect(page.GetByTestId("instance-status")).ToHaveTextAsync("Running");

        await HookAsync(Launched("s2", "agent-tests"));
        await HookAsync(Stopped("agent-tests", "Tests written."));
        await Expect(page.GetByTestId("timeline-row-s2")).ToHaveAttributeAsync("data-status", "succeeded");
        await Expect(page.GetByTestId("instance-status")).ToHaveTextAsync("Succeeded");
        await designer.ScreenshotAsync("finished");

        JsonNode Launched(string subtask, string agent) => Input("PostToolUse", new JsonObject
        {
            ["tool_name"] = "Agent",
            ["tool_input"] = new JsonObject { ["description"] = subtask, ["prompt"] = $"[taskflow:{workflowId}/{subtask}] Do it.", ["subagent_type"] = "general-purpose" },
            ["tool_response"] = new JsonObject { ["status"] = "async_launched", ["agentId"] = agent, ["description"] = subtask, ["prompt"] = "Do it.", ["outputFile"] = $"/tmp/tasks/{agent}.output" },
            ["tool_use_id"] = $"toolu_{subtask}",
        });
    }

    private static JsonNode Stopped(string agent, string message) => Input("SubagentStop", new JsonObject
    {
        ["stop_hook_active"] = false,
        ["agent_id"] = agent,
        ["agent_type"] = "general-purpose",
        ["last_assistant_message"] = message,
    });

    private static JsonObject Input(string eventName, JsonObject fields)
    {
        var input = new JsonObject { ["session_id"] = Session, ["cwd"] = "", ["hook_event_name"] = eventName };
        foreach (var (name, value) in fields.ToList())
        {
            fields.Remove(name);
            input[name] = value;
        }

        return input;
    }

    /// <summary>Runs <c>taskflow hook</c> in the test's folder, as Claude Code would, with the designer's server configured.</summary>
    private async Task HookAsync(JsonNode input)
    {
        input["cwd"] = _cwd;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _cwd,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "taskflow.dll"));
        start.ArgumentList.Add("hook");
        start.Environment["TASKFLOW_URL"] = fixture.Server.Address.ToString();
        start.Environment["TASKFLOW_API_KEY"] = DesignerServer.Key;
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(input.ToJsonString());
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(guard.Token);
        Assert.True(process.ExitCode == 0 && (await stderr).Length == 0, $"taskflow hook exited {process.ExitCode}: {await stdout}\n{await stderr}");
    }
}
