using TaskFlow.Core.Model;
using TaskFlow.Engine.Runtime;

namespace TaskFlow.Engine.Tests.Infrastructure;

internal static class InstanceViewExtensions
{
    public static NodeStatus StatusOf(this InstanceView view, string nodeId) =>
        view.Nodes.FirstOrDefault(n => n.NodeId == nodeId)?.Status ?? NodeStatus.Pending;

    public static NodeStateView Node(this InstanceView view, string nodeId) =>
        view.Nodes.FirstOrDefault(n => n.NodeId == nodeId) ?? throw new Xunit.Sdk.XunitException($"Node '{nodeId}' has no state; states: {string.Join(", ", view.Nodes.Select(n => $"{n.NodeId}={n.Status}"))}");
}
