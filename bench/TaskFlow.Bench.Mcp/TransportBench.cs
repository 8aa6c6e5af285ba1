namespace TaskFlow.Bench.Mcp;

/// <summary>
/// A subject (the in-process router, or the gateway over HTTP) and a direct client against the
/// same server over one transport, in rounds. In a round
/// both sides are connected at once and take turns (A B B A) in every phase, so drift of the
/// machine or the server falls on both alike; which side goes first alternates per round. Over
/// stdio each side has its own server process (the router starts its own); over HTTP both call
/// one server process, new for each round, since its memory grows with every call. Round 0
/// warms the process up and is not counted.
/// </summary>
/// <param name="subject">"router", "gateway", or "floor" (the gateway's HTTP hop alone, see <see cref="GatewaySide"/>).</param>
internal sealed class TransportBench(EverythingServer server, string transport, string subject, int calls, int warmup, int rounds)
{
    public const int Medium = 16;
    public const int High = 64;

    /// <summary>
    /// Blocks per side in a throughput phase. At 64 in flight over stdio, four node processes
    /// share two cores with the client and one block's rate can differ from the next by 25%:
    /// many short turns cancel more of that than a few long ones.
    /// </summary>
    private const int Blocks = 8;

    private const int MaxSettleChunks = 10;

    public async Task<IReadOnlyList<SideRun>> RunAsync(CancellationToken cancellationToken)
    {
        var runs = new List<SideRun>();
        for (var round = 0; round <= rounds; round++)
        {
            var (router, direct) = await RunRoundAsync(round, cancellationToken);
            foreach (var run in new[] { router, direct })
            {
                Console.WriteLine(RunLine.Describe(run) + (round == 0 ? " (warm-up round, not counted)" : ""));
            }

            if (round > 0)
            {
                runs.Add(router);
                runs.Add(direct);
            }
            else if (router.Errors + direct.Errors > 0)
            {
                // Failures in the warm-up round mean a broken setup: stop rather than measure it.
                runs.Add(router);
                runs.Add(direct);
                break;
            }
        }

        return runs;
    }

    private async Task<(SideRun Router, SideRun Direct)> RunRoundAsync(int round, CancellationToken cancellationToken)
    {
        await using var http = transport == "http" ? await EverythingHttpProcess.StartAsync(server, cancellationToken) : null;
        await using EchoSide router = subject is "gateway" or "floor"
            ? await GatewaySide.StartAsync(server.RouterOptions(http?.Endpoint), floor: subject == "floor", cancellationToken)
            : RouterSide.Create(server.RouterOptions(http?.Endpoint), High);
        await using var direct = new DirectSide(() => server.DirectTransport(http?.Endpoint));
        await direct.GrowAsync(1, cancellationToken);
        EchoSide[] sides = round % 2 == 1 ? [router, direct] : [direct, router];
        var warmupErrors = new Dictionary<EchoSide, int> { [router] = 0, [direct] = 0 };

        // Warm-up, not reported: a fresh process is 2-5x slower for the first few hundred calls
        // (tiered JIT), and so is a fresh node server.
        foreach (var side in sides)
        {
            warmupErrors[side] += (await LoadRun.ThroughputAsync(side, 1, Math.Max(1, warmup / 4), cancellationToken)).Errors;
            warmupErrors[side] += (await LoadRun.ThroughputAsync(side, Medium, Math.Max(1, warmup * 3 / 4), cancellationToken)).Errors;
        }

        // The direct side gets as many connections as the router opened (one, at 16 in flight).
        await direct.GrowAsync(router.Connections, cancellationToken);
        var c1 = await LoadRun.InterleavedLatencyAsync(sides, calls, cancellationToken);
        var c16 = await LoadRun.InterleavedThroughputAsync(sides, Medium, calls, Blocks, cancellationToken);

        // For reference: what one connection carries at 64 in flight, before the direct side grows.
        PhaseFigures? oneConnection = null;
        if (direct.Connections == 1)
        {
            warmupErrors[direct] += (await LoadRun.ThroughputAsync(direct, High, Math.Max(High * 4, warmup / 4), cancellationToken)).Errors;
            oneConnection = await LoadRun.ThroughputAsync(direct, High, calls, cancellationToken);
        }

        // The router opens its extra connections now, before the measured phase: a stdio server
        // takes ~0.5 s of CPU to start, which would land in the figures. Warm up until its pool
        // stops growing, then give the direct side as many connections and as much warm-up.
        var chunks = 0;
        for (var before = -1; chunks < MaxSettleChunks && (chunks < 2 || router.Connections != before); chunks++)
        {
            before = router.Connections;
            warmupErrors[router] += (await LoadRun.ThroughputAsync(router, High, Math.Max(High * 4, warmup / 4), cancellationToken)).Errors;
        }

        await direct.GrowAsync(router.Connections, cancellationToken);
        for (var chunk = 0; chunk < chunks; chunk++)
        {
            warmupErrors[direct] += (await LoadRun.ThroughputAsync(direct, High, Math.Max(High * 4, warmup / 4), cancellationToken)).Errors;
        }

        var c64 = await LoadRun.InterleavedThroughputAsync(sides, High, calls, Blocks, cancellationToken);
        var rss = http?.PeakRssMiB;
        SideRun Run(EchoSide side, PhaseFigures? reference)
        {
            var s = Array.IndexOf(sides, side);
            var label = subject switch
            {
                "gateway" => $"gateway, {transport} upstream",
                "floor" => $"HTTP hop alone vs {transport}",
                _ => transport,
            };
            return new SideRun(label, side.Name, round, side.ProtocolVersion, c1[s], c16[s], c64[s], reference, rss, warmupErrors[side]);
        }

        return (Run(router, null), Run(direct, oneConnection));
    }
}
