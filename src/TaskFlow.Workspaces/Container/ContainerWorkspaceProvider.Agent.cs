using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TaskFlow.Workspaces.Container;

// Commands through the exec agent (ExecAgentProtocol): one attach per container, kept open.
public sealed partial class ContainerWorkspaceProvider
{
    /// <summary>How long a new attach waits for the agent's answer before the container counts as one without an agent.</summary>
    private static readonly TimeSpan AgentReady = TimeSpan.FromSeconds(5);

    /// <summary>How often, at a timeout, the kill is sent again while the command's answer is awaited (it may have been sent before the agent knew the command's pid).</summary>
    private static readonly TimeSpan AgentKillRepeat = TimeSpan.FromMilliseconds(500);

    // Container name -> its agent, or null when it has none (then commands are execs).
    private readonly ConcurrentDictionary<string, Task<ExecAgentConnection?>> _agents = new(StringComparer.Ordinal);

    /// <summary>The container's agent, attached on first use; null when agents are off or the container has none.</summary>
    private async Task<ExecAgentConnection?> AgentAsync(string name)
    {
        if (!_options.ExecAgent)
        {
            return null;
        }

        var connecting = _agents.GetOrAdd(name, ConnectAgentAsync);
        var agent = await connecting;
        if (agent is { IsClosed: true })
        {
            // The container restarted, or the engine dropped the attach: attach again, once.
            _agents.TryRemove(KeyValuePair.Create(name, connecting));
            agent = await _agents.GetOrAdd(name, ConnectAgentAsync);
        }

        return agent is { IsClosed: false } ? agent : null;
    }

    private void AttachAgentInBackground(string name)
    {
        if (_options.ExecAgent)
        {
            _agents.GetOrAdd(name, ConnectAgentAsync);
        }
    }

    private async Task<ExecAgentConnection?> ConnectAgentAsync(string name)
    {
        try
        {
            var agent = await ExecAgentConnection.ConnectAsync(_docker, name, AgentReady, _time);
            if (agent is null)
            {
                AgentMissing(_logger, name);
            }

            return agent;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // No container (yet), or no engine: the exec path reports it; try again next time.
            _agents.TryRemove(name, out _);
            return null;
        }
    }

    /// <summary>Forgets a container's agent (it was removed or restarted).</summary>
    private async Task DropAgentAsync(string name)
    {
        // Connecting never throws but for cancellation, which leaves nothing to dispose.
        if (_agents.TryRemove(name, out var connecting) && await connecting is { } agent)
        {
            await agent.DisposeAsync();
        }
    }

    /// <summary>
    /// Runs the command through the agent; null when the agent could not take it (nothing was
    /// started then, and the caller uses an exec).
    /// </summary>
    private async Task<ExecResult?> ExecThroughAgentAsync(
        ExecAgentConnection agent, WorkspaceInfo workspace, string name, ExecRequest request, TimeSpan timeout, long started, DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        var id = Guid.NewGuid().ToString("N")[..16];
        if (ExecAgentProtocol.Request(id, request) is not { } lines)
        {
            return null;
        }

        var answered = agent.Expect(id);
        try
        {
            await agent.WriteAsync(lines);
        }
        catch (WorkspaceException)
        {
            // The attach broke before the request went out whole: the agent reads whole lines only.
            agent.Forget(id);
            return null;
        }

        AgentAnswer answer;
        ExecTermination? stoppedAs = null;
        using (var deadline = timeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(timeout < MaxTimeout ? timeout : MaxTimeout, _time))
        using (var stop = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken))
        {
            try
            {
                answer = await answered.WaitAsync(stop.Token);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                stoppedAs = cancellationToken.IsCancellationRequested ? ExecTermination.Cancelled : ExecTermination.TimedOut;
                answer = await KillThroughAgentAsync(agent, workspace.Id, name, id, answered, stoppedAs.Value)
                    ?? new AgentAnswer(AgentAnswerKind.Done, id, SigKillExit, [], 0, [], 0);
            }
            catch (WorkspaceException ex)
            {
                // The attach ended while the command ran: it may still be running, unseen.
                await RestartToKillAsync(workspace.Id, name, ExecTermination.Killed);
                throw new WorkspaceException($"Workspace '{workspace.Id}' lost the output of its command ({ex.Message}); the command was killed.", ex);
            }
        }

        if (answer.Kind == AgentAnswerKind.Failed)
        {
            // The agent could not set the command up (its /tmp full, say): nothing ran.
            return null;
        }

        var duration = _time.GetElapsedTime(started);
        var stdout = new ExecOutputBuffer(request.MaxOutputBytes);
        var stderr = new ExecOutputBuffer(request.MaxOutputBytes);
        stdout.Append(answer.Stdout, answer.StdoutDropped);
        stderr.Append(answer.Stderr, answer.StderrDropped);
        var exitCode = stoppedAs is not null ? SigKillExit : answer.ExitCode;
        var termination = stoppedAs ?? await ClassifyAsync(name, exitCode, startedAt);
        return new ExecResult(exitCode, stdout.Decode(), stderr.Decode(), stdout.TotalBytes, stderr.TotalBytes, termination, duration);
    }

    /// <summary>
    /// Asks the agent to kill the command's process group, and waits for its answer (the output
    /// so far). An agent that does not answer in time gets its container restarted, as an exec
    /// that cannot be killed does.
    /// </summary>
    private async Task<AgentAnswer?> KillThroughAgentAsync(ExecAgentConnection agent, string workspaceId, string name, string id, Task<AgentAnswer> answered, ExecTermination reason)
    {
        var started = _time.GetTimestamp();
        while (_time.GetElapsedTime(started) < DrainTimeout)
        {
            try
            {
                await agent.WriteAsync($"K {id}\n");
                var answer = await answered.WaitAsync(AgentKillRepeat, _time);
                CommandKilled(_logger, workspaceId, reason, 1);
                return answer;
            }
            catch (TimeoutException)
            {
            }
            catch (WorkspaceException)
            {
                break;
            }
        }

        agent.Forget(id);
        await RestartToKillAsync(workspaceId, name, reason);
        return null;
    }

    private async Task RestartToKillAsync(string workspaceId, string name, ExecTermination reason)
    {
        try
        {
            KillingByRestart(_logger, workspaceId, reason);
            await DropAgentAsync(name);
            await _docker.Containers.RestartContainerAsync(name, new Docker.DotNet.Models.ContainerRestartParameters { WaitBeforeKillSeconds = 0 }, CancellationToken.None);
        }
        catch (Exception ex)
        {
            KillFailed(_logger, ex, workspaceId, reason);
        }
    }

    /// <summary>Closes every attach at once (the provider is going away; the containers stay).</summary>
    private void DropAgents()
    {
        foreach (var name in _agents.Keys)
        {
            if (_agents.TryRemove(name, out var connecting) && connecting.IsCompletedSuccessfully && connecting.Result is { } agent)
            {
                agent.Close();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Container {Container} has no exec agent answering; its commands run as engine execs")]
    private static partial void AgentMissing(ILogger logger, string container);
}
