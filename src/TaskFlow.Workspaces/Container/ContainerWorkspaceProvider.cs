using System.Net;
using System.Net.Sockets;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TaskFlow.Workspaces.Container;

/// <summary>
/// Container isolation through the Docker Engine API: one long-lived container per workspace
/// (<c>taskflow-ws-{id}</c>), its folder bind-mounted at <see cref="WorkspacePaths.Inside"/>
/// as the only writable place besides a small <c>/tmp</c>, every command an exec in it.
/// </summary>
/// <remarks>
/// The container runs as an unprivileged user with no capabilities, no new privileges, a
/// read-only root, no network unless both the options and the workspace allow it, and the
/// workspace's memory (no swap), CPU, pids and file-size limits. Its labels
/// (<c>taskflow.owner=taskflow</c>, <c>taskflow.workspace</c>, ...) let a restarted
/// TaskFlow find what a crashed one left.
/// </remarks>
public sealed partial class ContainerWorkspaceProvider : IWorkspaceProvider, IDisposable
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(10);

    private readonly ContainerWorkspaceOptions _options;
    private readonly DockerClient _docker;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly string _host;
    private int _hostCpus;

    public ContainerWorkspaceProvider(IOptions<ContainerWorkspaceOptions> options, ILogger<ContainerWorkspaceProvider> logger, TimeProvider time)
        : this(options, logger, time, IsolationMode.Container)
    {
    }

    /// <param name="mode"><c>Vm</c> for the VM mode, whose containers run under a VM-backed runtime and are labelled apart.</param>
    internal ContainerWorkspaceProvider(IOptions<ContainerWorkspaceOptions> options, ILogger<ContainerWorkspaceProvider> logger, TimeProvider time, IsolationMode mode)
    {
        Mode = mode;
        _options = options.Value;
        var problems = _options.Problems().ToList();
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(ContainerWorkspaceOptions.SectionName, typeof(ContainerWorkspaceOptions), problems);
        }

        _host = _options.EffectiveDockerHost;
        _docker = new DockerClientConfiguration(new Uri(_host)).CreateClient();
        _logger = logger;
        _time = time;
    }

    public IsolationMode Mode { get; }

    /// <summary>The engine endpoint in use.</summary>
    public string DockerHost => _host;

    public async Task<string?> CheckAvailableAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            await _docker.System.PingAsync(timeout.Token);
        }
        catch (Exception ex) when (IsUnreachable(ex, cancellationToken))
        {
            return Unreachable(ex);
        }
        catch (DockerApiException ex)
        {
            return $"the Docker engine at {_host} answered its ping with {(int)ex.StatusCode}: {ex.ResponseBody?.Trim()}";
        }

        var image = _options.Image;
        try
        {
            await _docker.Images.InspectImageAsync(image, timeout.Token);
        }
        catch (DockerImageNotFoundException)
        {
            return ImageMissing(image);
        }
        catch (Exception ex) when (IsUnreachable(ex, cancellationToken))
        {
            return Unreachable(ex);
        }
        catch (DockerApiException ex)
        {
            return $"the Docker engine at {_host} could not look up the image '{image}' ({(int)ex.StatusCode}): {ex.ResponseBody?.Trim()}";
        }

        return null;
    }

    public async Task CreateAsync(WorkspaceInfo workspace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        var problems = ContainerWorkspaceSpec.LimitProblems(workspace.Limits);
        if (problems.Count > 0)
        {
            throw new WorkspaceException($"Workspace '{workspace.Id}' cannot get a container with these limits: {string.Join("; ", problems)}.");
        }

        ContainerWorkspaceOptions.TryParseUser(_options.User, out var uid, out var gid);
        WorkspaceFolderAccess.GiveTo(workspace.Folder, uid, gid);

        var name = ContainerWorkspaceSpec.ContainerName(workspace.Id);
        var image = workspace.Image ?? _options.Image;
        try
        {
            var parameters = ContainerWorkspaceSpec.Build(workspace, _options, Mode, await HostCpusAsync(cancellationToken));
            CreateContainerResponse response;
            try
            {
                response = await _docker.Containers.CreateContainerAsync(parameters, cancellationToken);
            }
            catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
            {
                // Ids are never reused, so a container under this name is what a failed attempt
                // to create this same workspace left behind.
                await RemoveAsync(name, cancellationToken);
                response = await _docker.Containers.CreateContainerAsync(parameters, cancellationToken);
            }

            _containerIds[name] = response.ID;

            await _docker.Containers.StartContainerAsync(name, new ContainerStartParameters(), cancellationToken);
            ContainerCreated(_logger, workspace.Id, name, image);

            // Attached now, in the background, so that the first command (a warm container's
            // especially) does not wait for the attach.
            AttachAgentInBackground(name);
        }
        catch (Exception ex)
        {
            if (IsUnreachable(ex, cancellationToken))
            {
                throw new WorkspaceUnavailableException(Mode, Unreachable(ex), ex);
            }

            // No half-made sandbox stays behind, not even when the caller gave up after the
            // engine had already made the container.
            await RemoveQuietlyAsync(name);
            switch (ex)
            {
                case DockerImageNotFoundException:
                    throw new WorkspaceUnavailableException(Mode, ImageMissing(image), ex);
                case DockerApiException api:
                    throw new WorkspaceException($"The engine refused the container of workspace '{workspace.Id}': {api.ResponseBody?.Trim()}", ex);
                default:
                    throw;
            }
        }
    }

    public async Task DestroyAsync(string workspaceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(workspaceId);
        try
        {
            var name = ContainerWorkspaceSpec.ContainerName(workspaceId);
            if (await RemoveAsync(name, cancellationToken))
            {
                ContainerRemoved(_logger, workspaceId);
            }

            await DropAgentAsync(name);
        }
        catch (Exception ex) when (IsUnreachable(ex, cancellationToken))
        {
            throw new WorkspaceUnavailableException(Mode, Unreachable(ex), ex);
        }
    }

    public async Task<IReadOnlyList<string>> ListOwnedAsync(CancellationToken cancellationToken)
    {
        IList<ContainerListResponse> containers;
        try
        {
            containers = await _docker.Containers.ListContainersAsync(new ContainersListParameters
            {
                All = true,
                Filters = new Dictionary<string, IDictionary<string, bool>>
                {
                    ["label"] = new Dictionary<string, bool>
                    {
                        [$"{ContainerWorkspaceSpec.OwnerLabel}={ContainerWorkspaceSpec.OwnerValue}"] = true,
                        [$"{ContainerWorkspaceSpec.IsolationLabel}={ContainerWorkspaceSpec.IsolationValue(Mode)}"] = true,
                        [$"{ContainerWorkspaceSpec.ScopeLabel}={_options.Scope ?? ""}"] = true,
                    },
                },
            }, cancellationToken);
        }
        catch (Exception ex) when (IsUnreachable(ex, cancellationToken))
        {
            throw new WorkspaceUnavailableException(Mode, Unreachable(ex), ex);
        }

        return containers
            .Select(c => c.Labels is not null && c.Labels.TryGetValue(ContainerWorkspaceSpec.WorkspaceLabel, out var id) ? id : null)
            .OfType<string>()
            .Where(id => id.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    public void Dispose()
    {
        DropAgents();
        _docker.Dispose();
    }

    /// <summary>Force-removes a container (killing what runs in it); false when there was none.</summary>
    private async Task<bool> RemoveAsync(string name, CancellationToken cancellationToken)
    {
        _containerIds.TryRemove(name, out _);
        try
        {
            await _docker.Containers.RemoveContainerAsync(name, new ContainerRemoveParameters { Force = true, RemoveVolumes = false }, cancellationToken);
            return true;
        }
        catch (DockerContainerNotFoundException)
        {
            return false;
        }
        catch (DockerApiException ex) when (ex.StatusCode == HttpStatusCode.Conflict && ex.ResponseBody?.Contains("already in progress", StringComparison.OrdinalIgnoreCase) == true)
        {
            // A concurrent destroy of the same workspace is removing it.
            return false;
        }
    }

    private async Task RemoveQuietlyAsync(string name)
    {
        try
        {
            await RemoveAsync(name, CancellationToken.None);
        }
        catch (Exception ex)
        {
            RemoveFailed(_logger, ex, name);
        }
    }

    private async Task<int> HostCpusAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _hostCpus) is > 0 and var known)
        {
            return known;
        }

        var info = await _docker.System.GetSystemInfoAsync(cancellationToken);
        var cpus = (int)Math.Max(0, info.NCPU);
        Volatile.Write(ref _hostCpus, cpus);
        return cpus;
    }

    /// <summary>The engine could not be reached at all, as opposed to refusing a request or the caller giving up.</summary>
    private static bool IsUnreachable(Exception exception, CancellationToken callerToken) => exception switch
    {
        HttpRequestException or SocketException or IOException or TimeoutException => true,
        OperationCanceledException => !callerToken.IsCancellationRequested,
        _ => false,
    };

    private string Unreachable(Exception exception) =>
        $"the Docker engine at {_host} does not answer ({Innermost(exception).Message}); start it, or point {ContainerWorkspaceOptions.SectionName}:DockerHost or DOCKER_HOST at it";

    private string ImageMissing(string image) =>
        $"the image '{image}' is missing from the Docker engine at {_host}; load it into that engine (docker pull {image}, or docker load / docker import for an image made offline)";

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
        {
            exception = exception.InnerException;
        }

        return exception;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Workspace {WorkspaceId}: container {Container} started from {Image}")]
    private static partial void ContainerCreated(ILogger logger, string workspaceId, string container, string image);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workspace {WorkspaceId}: container removed")]
    private static partial void ContainerRemoved(ILogger logger, string workspaceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not remove container {Container}; the orphan reclaimer will find it by its labels")]
    private static partial void RemoveFailed(ILogger logger, Exception exception, string container);
}
