using System.Diagnostics;
using System.Text;
using TaskFlow.Workspaces.Container;

namespace TaskFlow.Workspaces.Tests.Container;

/// <summary>The agent's lines, checked without an engine; quoting is checked by the host's own <c>sh</c>.</summary>
public sealed class ExecAgentProtocolTests
{
    [Fact]
    public async Task Request_CodeLine_SetsTheArgumentsAndEnvironmentExactly_InARealShell()
    {
        string[] command = ["printf", "[%s]", "it's", "a\nb", "*", "$(id)", "`id`", "", "\\n"];
        var lines = ExecAgentProtocol.Request("abc", new ExecRequest(command, new Dictionary<string, string> { ["V"] = "x'y\nz" }))!;
        var code = lines.Split('\n')[1];

        // What the agent does with the line: NL holds a newline, the line is eval'd, "$@" run.
        var psi = new ProcessStartInfo("sh", ["-c", "NL='\n'; eval \"$1\"; \"$@\"; printf '{%s}' \"$V\"", "agent", code]) { RedirectStandardOutput = true };
        using var sh = System.Diagnostics.Process.Start(psi)!;
        var output = await sh.StandardOutput.ReadToEndAsync();
        await sh.WaitForExitAsync();

        Assert.Equal(3, lines.Split('\n').Length);
        Assert.StartsWith("R abc 1048576 -\n", lines);
        Assert.Equal(string.Concat(command.Skip(2).Select(a => $"[{a}]")) + "{x'y\nz}", output);
    }

    [Fact]
    public void Request_StdinAndLimits_GoOnTheHeaderLine()
    {
        var lines = ExecAgentProtocol.Request("id1", new ExecRequest(["cat"], Stdin: "hé", MaxOutputBytes: 0))!;

        Assert.StartsWith($"R id1 0 {Convert.ToBase64String(Encoding.UTF8.GetBytes("hé"))}\n", lines);
    }

    [Fact]
    public void Request_WhatTheAgentCannotCarry_IsNull()
    {
        Assert.Null(ExecAgentProtocol.Request("x", new ExecRequest(["env"], new Dictionary<string, string> { ["a.b"] = "1" })));
        Assert.Null(ExecAgentProtocol.Request("x", new ExecRequest(["cat"], Stdin: new string('x', ExecAgentProtocol.MaxStdinChars + 1))));
    }

    [Fact]
    public void Parse_Answers()
    {
        var done = ExecAgentProtocol.Parse($"D id7 3 10 0 {Convert.ToBase64String("out"u8)} ");
        var pong = ExecAgentProtocol.Parse("P t");

        Assert.Equal((AgentAnswerKind.Pong, "t"), (pong!.Kind, pong.Id));
        Assert.Equal((AgentAnswerKind.Done, "id7", 3, "out", 10L, 0), (done!.Kind, done.Id, done.ExitCode, Encoding.UTF8.GetString(done.Stdout), done.StdoutDropped, done.Stderr.Length));
        Assert.Equal(AgentAnswerKind.Failed, ExecAgentProtocol.Parse("F id8")!.Kind);
        Assert.Null(ExecAgentProtocol.Parse("D id7 x 0 0  "));
        Assert.Null(ExecAgentProtocol.Parse("sh: something the shell said"));
    }
}
