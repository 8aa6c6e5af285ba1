using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskFlow.Workspaces.Container;

namespace TaskFlow.Workspaces.Vm;

/// <summary>Section <c>TaskFlow:Workspaces:Vm</c>: the VM-backed container runtime, if the host has one.</summary>
public sealed class VmWorkspaceOptions
{
    public const string SectionName = "TaskFlow:Workspaces:Vm";

    /// <summary>An OCI runtime registered with the Docker engine that runs each container in a VM or a user-space kernel: <c>runsc</c> (gVisor) or <c>kata-runtime</c> (Kata Containers). Null: the mode is not available.</summary>
    public string? Runtime { get; set; }

    /// <summary>The image of VM workspaces; the container mode's image when null.</summary>
    public string? Image { get; set; }
}

/// <summary>
/// The <c>vm</c> isolation mode: a container workspace (same limits, labels and lifecycle) run by
/// a VM-backed runtime, so the workspace does not share the host's kernel. Without a configured
/// runtime every use fails with a clear "not available on this host" error; nothing falls back to
/// a weaker isolation silently.
/// </summary>
public sealed class VmWorkspaceProvider : IWorkspaceProvider, IDisposable
{
    private const string NotConfigured = "no VM-backed container runtime is configured; register gVisor (runsc) or Kata Containers (kata-runtime) with the Docker engine and set TaskFlow:Workspaces:Vm:Runtime to its name";

    private readonly ContainerWorkspaceProvider? _containers;

    public VmWorkspaceProvider(IOptions<VmWorkspaceOptions> vm, IOptions<ContainerWorkspaceOptions> container, ILogger<ContainerWorkspaceProvider> logger, TimeProvider time)
    {
        if (vm.Value.Runtime is not { Length: > 0 } runtime)
        {
            return;
        }

        var c = container.Value;
        _containers = new ContainerWorkspaceProvider(
            Options.Create(new ContainerWorkspaceOptions
            {
                DockerHost = c.DockerHost,
                Image = vm.Value.Image ?? c.Image,
                User = c.User,
                AllowNetwork = c.AllowNetwork,
                Scope = c.Scope,
                Runtime = runtime,
            }),
            logger,
            time,
            IsolationMode.Vm);
    }

    public IsolationMode Mode => IsolationMode.Vm;

    public async Task<string?> CheckAvailableAsync(CancellationToken cancellationToken) =>
        _containers is null ? NotConfigured : await _containers.CheckAvailableAsync(cancellationToken);

    public Task CreateAsync(WorkspaceInfo workspace, CancellationToken cancellationToken) =>
        Containers().CreateAsync(workspace, cancellationToken);

    public Task<ExecResult> ExecAsync(WorkspaceInfo workspace, ExecRequest request, CancellationToken cancellationToken) =>
        Containers().ExecAsync(workspace, request, cancellationToken);

    // Nothing was ever created without a runtime: nothing to remove or list.
    public Task DestroyAsync(string workspaceId, CancellationToken cancellationToken) =>
        _containers?.DestroyAsync(workspaceId, cancellationToken) ?? Task.CompletedTask;

    public Task<IReadOnlyList<string>> ListOwnedAsync(CancellationToken cancellationToken) =>
        _containers?.ListOwnedAsync(cancellationToken) ?? Task.FromResult<IReadOnlyList<string>>([]);

    public void Dispose() => _containers?.Dispose();

    private ContainerWorkspaceProvider Containers() =>
        _containers ?? throw new WorkspaceUnavailableException(IsolationMode.Vm, NotConfigured);
}
