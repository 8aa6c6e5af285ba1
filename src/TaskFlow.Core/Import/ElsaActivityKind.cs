namespace TaskFlow.Core.Import;

/// <summary>The Elsa activity types the importer understands; everything else is <see cref="Unsupported"/>.</summary>
internal enum ElsaActivityKind
{
    Unsupported,
    Flowchart,
    FlowFork,
    FlowJoin,
    FlowDecision,
    Fork,
    Sequence,
    SetVariable,
    WriteLine,
    Delay,
    Start,
    Finish,
    End,
    ExecuteWorkflow,
    DispatchWorkflow,
    Cron,
    HttpEndpoint,
    WriteHttpResponse,
    SendHttpRequest,
    FlowSendHttpRequest,
    SetOutput,
    Complete,
    Fault,
    Correlate,
    SetName,
    FlowNode,
    ForEach,
    ParallelForEach,
    For,
    Parallel,
    Timer,
    StartAt,
    Event,
    PublishEvent,
    RunTask,
    RunJavaScript,
    RunCSharp,
    If,
    While,
    Switch,
    FlowSwitch,
}

internal static class ElsaActivityTypes
{
    private const string Namespace = "Elsa.";

    // Elsa writes full names ("Elsa.FlowJoin"); hand-written files often use the short one.
    private static readonly Dictionary<string, ElsaActivityKind> Kinds = BuildKinds();

    public static ElsaActivityKind Classify(string? type) =>
        type is not null && Kinds.TryGetValue(type, out var kind) ? kind : ElsaActivityKind.Unsupported;

    public static string FullName(ElsaActivityKind kind) => Namespace + kind;

    private static Dictionary<string, ElsaActivityKind> BuildKinds()
    {
        var kinds = new Dictionary<string, ElsaActivityKind>(StringComparer.OrdinalIgnoreCase);
        foreach (var kind in Enum.GetValues<ElsaActivityKind>().Where(k => k != ElsaActivityKind.Unsupported))
        {
            kinds[Namespace + kind] = kind;
            kinds[kind.ToString()] = kind;
        }

        return kinds;
    }
}
