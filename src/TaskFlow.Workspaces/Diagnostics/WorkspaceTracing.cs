using System.Diagnostics;

namespace TaskFlow.Workspaces.Diagnostics;

/// <summary>
/// The workspaces' spans: one per command run in a workspace (<c>exec</c>), under the node's span,
/// with the isolation mode, the image and how the command ended. Nothing is created without a listener.
/// </summary>
public static class WorkspaceTracing
{
    public const string SourceName = "TaskFlow.Workspaces";

    /// <summary>Attribute names.</summary>
    public static class Tags
    {
        public const string WorkspaceId = "taskflow.workspace.id";
        public const string Mode = "taskflow.workspace.mode";
        public const string Image = "taskflow.workspace.image";
        public const string Termination = "taskflow.exec.termination";

        /// <summary>OpenTelemetry's process semantic conventions.</summary>
        public const string ExitCode = "process.exit.code";
    }

    internal static ActivitySource Source { get; } = new(SourceName, typeof(WorkspaceTracing).Assembly.GetName().Version?.ToString());

    internal static Activity? StartExec(WorkspaceRecord workspace)
    {
        var span = Source.StartActivity("exec");
        if (span is null)
        {
            return null;
        }

        span.SetTag(Tags.WorkspaceId, workspace.Id);
        span.SetTag(Tags.Mode, workspace.Isolation.ToString().ToLowerInvariant());
        if (workspace.Image is not null)
        {
            span.SetTag(Tags.Image, workspace.Image);
        }

        return span;
    }

    internal static void Ended(Activity? span, ExecResult result)
    {
        if (span is null)
        {
            return;
        }

        span.SetTag(Tags.ExitCode, result.ExitCode);
        span.SetTag(Tags.Termination, result.Termination.ToString());
        if (!result.Succeeded)
        {
            span.SetStatus(ActivityStatusCode.Error, result.FailureReason);
        }
    }
}
