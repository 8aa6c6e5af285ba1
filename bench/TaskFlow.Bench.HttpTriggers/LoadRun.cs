using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace TaskFlow.Bench.HttpTriggers;

/// <summary>Sends POST requests from a fixed number of concurrent callers and measures each, end to end.</summary>
internal sealed record LoadRun(double RequestsPerSecond, double P50Ms, double P99Ms, int Errors)
{
    public const string Body = """{ "order": 17, "amount": 42 }""";

    public static async Task<LoadRun> RunAsync(HttpClient client, string path, int concurrency, int requests, int warmup)
    {
        await SendAsync(client, path, concurrency, warmup, null);
        var latencies = new double[requests];
        var clock = Stopwatch.StartNew();
        var errors = await SendAsync(client, path, concurrency, requests, latencies);
        var seconds = clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        return new LoadRun(requests / seconds, Percentile(latencies, 0.50), Percentile(latencies, 0.99), errors);
    }

    public string Line(string provider, string side, int concurrency) =>
        string.Create(CultureInfo.InvariantCulture, $"{provider,-9} | {side,-19} | {concurrency,11} | {RequestsPerSecond,10:F0} | {P50Ms,6:F2} | {P99Ms,6:F2} | {Errors}");

    private static async Task<int> SendAsync(HttpClient client, string path, int concurrency, int count, double[]? latencies)
    {
        var next = -1;
        var errors = 0;
        var callers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count)
            {
                var start = Stopwatch.GetTimestamp();
                using var response = await client.PostAsync(path, new StringContent(Body, Encoding.UTF8, "application/json"));
                await response.Content.ReadAsByteArrayAsync();
                if ((int)response.StatusCode != 200)
                {
                    Interlocked.Increment(ref errors);
                }

                if (latencies is not null)
                {
                    latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                }
            }
        });
        await Task.WhenAll(callers);
        return errors;
    }

    private static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
