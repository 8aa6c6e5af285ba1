using TaskFlow.Core.Model;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Workspaces.Hosting;

/// <summary>An instance is finished when the engine says it is no longer running, or has no such instance.</summary>
internal sealed class EngineWorkspaceOwnerStatus(WorkflowRuntime runtime) : IWorkspaceOwnerStatus
{
    public async Task<bool> IsFinishedAsync(string instanceId, CancellationToken cancellationToken) =>
        await runtime.GetStatusAsync(instanceId, cancellationToken) is null or not InstanceStatus.Running;
}
