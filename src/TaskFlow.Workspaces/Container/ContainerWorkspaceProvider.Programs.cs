using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using TaskFlow.Routing.Upstreams;

namespace TaskFlow.Workspaces.Container;

// Long-running programs (a stdio MCP server) started in a workspace's container, attached.
public sealed partial class ContainerWorkspaceProvider
{
    /// <summary>
    /// Starts a program in the workspace's container, as the workspace user, in the workspace folder,
    /// with only the given environment added, and returns its standard input and output. It runs
    /// under the container's limits until its input closes or the container goes; its standard
    /// error is logged at Debug.
    /// </summary>
    public async Task<ConfinedStdio> StartProgramAsync(WorkspaceInfo workspace, IReadOnlyList<string> command, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(command);
        if (command.Count == 0)
        {
            throw new ArgumentException("The command is empty.", nameof(command));
        }

        var name = ContainerWorkspaceSpec.ContainerName(workspace.Id);
        var parameters = new ContainerExecCreateParameters
        {
            Cmd = [.. command],
            Env = [.. environment.Select(p => $"{p.Key}={p.Value}")],
            User = _options.User,
            WorkingDir = WorkspacePaths.Inside,
            AttachStdin = true,
            AttachStdout = true,
            AttachStderr = true,
            Tty = false,
        };

        string execId;
        MultiplexedStream stream;
        try
        {
            execId = (await _docker.Exec.ExecCreateContainerAsync(name, parameters, cancellationToken)).ID;
            stream = await _docker.Exec.StartWithConfigContainerExecAsync(
                execId,
                new ContainerExecStartParameters { AttachStdin = true, AttachStdout = true, AttachStderr = true, Tty = false },
                cancellationToken);
        }
        catch (DockerContainerNotFoundException ex)
        {
            throw new WorkspaceException($"Workspace '{workspace.Id}' has no container ({name}): it was destroyed, or never created.", ex);
        }
        catch (Exception ex) when (IsUnreachable(ex, cancellationToken))
        {
            throw new WorkspaceUnavailableException(Mode, Unreachable(ex), ex);
        }
        catch (DockerApiException ex)
        {
            throw new WorkspaceException($"Workspace '{workspace.Id}' could not start '{command[0]}': {ex.ResponseBody?.Trim()}", ex);
        }

        ProgramStarted(_logger, workspace.Id, command[0], execId);
        var id = workspace.Id;
        return new ConfinedStdio(new ExecStdinStream(stream), new ExecStdoutStream(stream, line => ProgramError(_logger, id, line)));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Workspace {WorkspaceId} started {Program} (exec {ExecId}), attached")]
    private static partial void ProgramStarted(ILogger logger, string workspaceId, string program, string execId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Workspace {WorkspaceId}, program's stderr: {Line}")]
    private static partial void ProgramError(ILogger logger, string workspaceId, string line);
}
