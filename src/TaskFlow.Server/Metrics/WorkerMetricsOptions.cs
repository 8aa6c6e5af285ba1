namespace TaskFlow.Server.Metrics;

/// <summary>Where a process without the web server (<c>taskflow worker</c>) serves <c>/metrics</c> (configuration section <c>TaskFlow:Metrics</c>).</summary>
public sealed class WorkerMetricsOptions
{
    public const string SectionName = "TaskFlow:Metrics";

    /// <summary>
    /// Addresses to listen on, separated by <c>;</c> (<c>http://127.0.0.1:9464</c>); none (the
    /// default) serves no metrics. <c>taskflow worker --metrics-urls</c> sets it.
    /// </summary>
    public string? Urls { get; set; }
}
