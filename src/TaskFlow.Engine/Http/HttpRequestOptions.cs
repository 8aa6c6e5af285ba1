using System.ComponentModel.DataAnnotations;

namespace TaskFlow.Engine.Http;

/// <summary>
/// The <c>http.request</c> activity's settings (section <c>TaskFlow:Http</c>). Outgoing requests to
/// loopback, link-local and private addresses are refused unless allowed here, so a workflow
/// author cannot reach the server's own network (cloud metadata, databases, admin ports) by URL.
/// </summary>
public sealed class HttpRequestOptions
{
    public const string SectionName = "TaskFlow:Http";

    /// <summary>Allow 127.0.0.0/8 and ::1.</summary>
    public bool AllowLoopback { get; set; }

    /// <summary>Allow 10/8, 172.16/12, 192.168/16, 100.64/10 (carrier-grade NAT) and fc00::/7.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>Allow 169.254/16 and fe80::/10, where cloud metadata services answer.</summary>
    public bool AllowLinkLocal { get; set; }

    /// <summary>A node's timeout for the whole request (retries included) when it sets none.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan DefaultTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A node's response size cap when it sets none.</summary>
    [Range(1, 256L * 1024 * 1024)]
    public long MaxResponseBytes { get; set; } = 1024 * 1024;

    /// <summary>The first retry's base delay; later ones back off exponentially, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Retries after the first attempt, on transient failures (5xx, 408, 429, connection errors).</summary>
    [Range(1, 10)]
    public int MaxRetries { get; set; } = 3;
}
