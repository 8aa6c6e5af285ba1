using System.Diagnostics;
using OpenTelemetry.Trace;

namespace TaskFlow.Server.Tracing;

/// <summary>
/// Samples what belongs to a trace someone started: a span with a parent follows the parent's
/// decision (W3C sampled flag), and of the spans without one only client spans are dropped: the
/// database polls of idle workers, upstream health checks and the like, which would otherwise each
/// be a trace of one span. Instances, HTTP requests and node spans are always kept. Set
/// <c>OTEL_TRACES_SAMPLER</c> to use one of OpenTelemetry's samplers instead.
/// </summary>
internal sealed class TaskFlowSampler : Sampler
{
    public TaskFlowSampler() => Description = "TaskFlowSampler{ParentBased, root client spans dropped}";

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters)
    {
        if (samplingParameters.ParentContext.TraceId == default)
        {
            return new SamplingResult(samplingParameters.Kind == ActivityKind.Client ? SamplingDecision.Drop : SamplingDecision.RecordAndSample);
        }

        return new SamplingResult((samplingParameters.ParentContext.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? SamplingDecision.RecordAndSample : SamplingDecision.Drop);
    }
}
