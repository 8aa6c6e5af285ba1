using TaskFlow.Core.Model;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Engine.Tests.Infrastructure;

internal static class InstanceViewExtensions
{
    public static NodeStatus StatusOf(this InstanceView view, string nodeId) =>
        view.Nodes.FirstOrDefault(n => n.NodeId == nodeId)?.Status ?? NodeStatus.Pending;

    /// <summary>Asserts success, showing the instance error and node errors when it did not succeed.</summary>
    public static void AssertSucceeded(this InstanceView view)
    {
        if (view.Status != InstanceStatus.Succeeded)
        {
            var failures = string.Join("; ", view.Nodes.Where(n => n.Error is not null).Select(n => $"{n.NodeId}: {n.Error}"));
            throw new Xunit.Sdk.XunitException($"Instance {view.Id} is {view.Status}: {view.Error} [{failures}]");
        }
    }

    public static NodeStateView Node(this InstanceView view, string nodeId) =>
        view.Nodes.FirstOrDefault(n => n.NodeId == nodeId) ?? throw new Xunit.Sdk.XunitException($"Node '{nodeId}' has no state; states: {string.Join(", ", view.Nodes.Select(n => $"{n.NodeId}={n.Status}"))}");
}
