using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using TaskFlow.Routing.Bulkheads;
using TaskFlow.Routing.CircuitBreaking;
using TaskFlow.Routing.Strategies;
using TaskFlow.Routing.Upstreams;

namespace TaskFlow.Routing;

/// <summary>One tool call: the tool (a rule pattern's name, the upstream's own name, or <c>server.tool</c>), its arguments and tier.</summary>
/// <param name="Server">A server to use instead of the routing rules.</param>
/// <param name="Progress">Receives the upstream's progress notifications for this call.</param>
/// <param name="Session">
/// The downstream session the call belongs to (the gateway passes its client's session). On a
/// server whose protocol keeps state per session, every call of one session goes to an upstream
/// session of its own, closed by <see cref="McpRouter.EndSessionAsync"/>. Null shares the pool.
/// </param>
/// <param name="RawArguments">
/// Arguments already in wire form (the gateway passes its client's through unchanged), used
/// instead of <see cref="Arguments"/> so that they are not converted twice.
/// </param>
public sealed record McpToolCall(string Tool, JsonObject? Arguments = null, int Tier = 3, string? Server = null, TimeSpan? Timeout = null, IProgress<ProgressNotificationValue>? Progress = null, string? Session = null, IDictionary<string, JsonElement>? RawArguments = null);

/// <summary>What a call returned, and from where. <c>Result.IsError</c> is a tool error: the server answered.</summary>
public sealed record McpCallOutcome(string Server, string Tool, CallToolResult Result, int Attempts);

/// <summary>
/// Routes tool calls to the upstream fleet: by rule (pattern, servers, strategy, staged rollout),
/// otherwise to the server that owns the tool. Each server has a circuit breaker, a rate limiter,
/// a bulkhead admitting calls by tier and a connection pool; a global gate admits calls by tier
/// too, so a tier-1 call finds capacity however many tier-4 calls are waiting.
/// </summary>
public sealed partial class McpRouter : IAsyncDisposable
{
    private readonly Dictionary<string, UpstreamServer> _servers;
    private readonly RuleState[] _rules;
    private readonly McpRoutingOptions _options;
    private readonly RoutingRules _routingRules;
    private readonly ConnectionBudget _budget;
    private readonly TierGate _gate;
    private readonly RoutingMetrics _metrics;
    private readonly ILogger<McpRouter> _logger;
    private readonly ConcurrentDictionary<(string Server, string Tool), string> _upstreamNames = new();
    private readonly SemaphoreSlim _discovering = new(1, 1);
    private volatile RouteTable _table;

    public McpRouter(IOptions<McpRoutingOptions> options, RoutingMetrics metrics, ILoggerFactory loggers, TimeProvider time)
    {
        _options = options.Value;
        _metrics = metrics;
        _logger = loggers.CreateLogger<McpRouter>();
        _routingRules = LoadRules(_options);
        var problems = McpRoutingValidation.Problems(_options, _routingRules).ToList();
        if (problems.Count > 0)
        {
            throw new RoutingConfigurationException(problems);
        }

        _budget = new ConnectionBudget(_options.MaxTotalConnections);
        _gate = new TierGate(_options.Servers.Values.Sum(s => s.MaxConnections * s.CallsPerConnection) is > 0 and var total ? total : 1);
        _servers = _options.Servers.ToDictionary(
            p => p.Key,
            p => new UpstreamServer(p.Key, p.Value, _options, _routingRules.CircuitBreakers, _budget, loggers, time),
            StringComparer.Ordinal);
        foreach (var server in _servers.Values)
        {
            server.ToolsChanged += OnToolsChanged;
        }

        _rules = [.. _routingRules.Rules.Select(r => new RuleState(r, _servers))];
        _table = BuildTable();
        _metrics.Observe(this);
    }

    public RoutingRules Rules => _routingRules;

    internal IReadOnlyCollection<UpstreamServer> Servers => _servers.Values;

    internal ConnectionBudget Budget => _budget;

    /// <summary>Calls a tool through the fleet.</summary>
    /// <exception cref="McpRoutingException">No server offers the tool, or it failed on every server tried (the message lists each attempt).</exception>
    public async Task<McpCallOutcome> CallToolAsync(McpToolCall call, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(call.Tier, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(call.Tier, 4);
        var (candidates, strategy) = await ResolveAsync(call, cancellationToken);
        using var admitted = await _gate.WaitAsync(call.Tier, cancellationToken);
        var arguments = call.RawArguments
            ?? call.Arguments?.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value, McpJsonUtilities.DefaultOptions));
        var attempts = new List<string>();
        foreach (var server in candidates)
        {
            if (!server.Breaker.TryEnter())
            {
                attempts.Add($"{server.Name}: circuit open{(server.Breaker.RetryAfter is { } after ? $" for another {after.TotalSeconds:0.#} s" : "")}");
                continue;
            }

            var started = TimeProvider.System.GetTimestamp();
            try
            {
                var result = await CallOneAsync(server, call, arguments, cancellationToken);
                server.Breaker.OnSuccess();
                _metrics.Called(server.Name, TimeProvider.System.GetElapsedTime(started), failed: false);
                return new McpCallOutcome(server.Name, call.Tool, result, attempts.Count + 1);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                server.Breaker.OnCancelled();
                throw;
            }
            catch (McpProtocolException ex)
            {
                // The server is alive and refused this request (unknown tool, bad arguments): not a
                // server failure, and another server would refuse it too.
                server.Breaker.OnSuccess();
                _metrics.Called(server.Name, TimeProvider.System.GetElapsedTime(started), failed: true);
                throw new McpRoutingException($"Server '{server.Name}' refused tool '{call.Tool}': {ex.Message}", ex);
            }
            catch (Exception ex)
            {
                server.Breaker.OnFailure();
                _metrics.Called(server.Name, TimeProvider.System.GetElapsedTime(started), failed: true);
                attempts.Add($"{server.Name}: {Describe(ex)}");
                CallFailed(_logger, server.Name, call.Tool, Describe(ex));
                if (strategy is RoutingStrategy.Dedicated or RoutingStrategy.Isolated)
                {
                    break;
                }
            }
        }

        throw new McpRoutingException($"Tool '{call.Tool}' failed on every server tried: {string.Join("; ", attempts)}.");
    }

    /// <summary>Every tool of every server, as <c>(server, tool)</c>; starts servers whose tools are not known yet. Servers that fail are left out.</summary>
    public async Task<IReadOnlyList<(string Server, Tool Tool)>> ListToolsAsync(CancellationToken cancellationToken = default)
    {
        var lists = await Task.WhenAll(_servers.Values.Select(async s =>
        {
            // Each server gets the call deadline: one that hangs on tools/list must not hold up
            // discovery (and with it every call to a tool not known yet).
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.CallTimeout);
            try
            {
                return (s.Name, Tools: await s.GetToolsAsync(timeout.Token));
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // A server without tools (method not found), down, or hung: it offers nothing now.
                DiscoveryFailed(_logger, s.Name, Describe(ex));
                return (s.Name, Tools: (IReadOnlyList<Tool>)[]);
            }
        }));
        _table = BuildTable();
        return [.. lists.SelectMany(l => l.Tools.Select(t => (l.Name, t)))];
    }

    /// <summary>Changes a rule's staged rollout share at run time: 0 rolls back at once.</summary>
    /// <returns>False when no rule has that pattern or it has no rollout.</returns>
    public bool SetRolloutPercent(string pattern, double percent)
    {
        var rule = _rules.FirstOrDefault(r => r.Rule.Pattern.Text == pattern && r.Split is not null);
        if (rule is null)
        {
            return false;
        }

        rule.Split!.Percent = percent;
        return true;
    }

    /// <summary>Closes the upstream sessions a downstream session was given (see <see cref="McpToolCall.Session"/>).</summary>
    public Task EndSessionAsync(string session) => Task.WhenAll(_servers.Values.Select(s => s.EndSessionAsync(session)));

    /// <summary>The configured tier of a server; null for an unknown name.</summary>
    public int? TierOf(string server) => _servers.TryGetValue(server, out var s) ? s.Options.Tier : null;

    /// <summary>A snapshot of every server for the status API.</summary>
    public IReadOnlyList<McpServerStatus> GetStatus() =>
        [.. _servers.Values.OrderBy(s => s.Options.Tier).ThenBy(s => s.Name, StringComparer.Ordinal).Select(s => new McpServerStatus(
            s.Name,
            s.Options.Transport,
            s.Options.Tier,
            s.Options.Priority,
            s.State,
            s.Breaker.State,
            s.Breaker.ConsecutiveFailures,
            s.LastLatency?.TotalMilliseconds,
            s.ConnectionCount,
            s.Options.MaxConnections,
            s.CallsInFlight,
            s.PinnedSessions,
            s.ProtocolVersion,
            s.CachedTools?.Select(t => t.Name).ToArray(),
            s.LastError))];

    /// <summary>Health checks every started (or eager) server once; used by the router's host on its interval.</summary>
    public async Task CheckHealthAsync(bool includeIdle, CancellationToken cancellationToken)
    {
        await Task.WhenAll(_servers.Values.Where(s => includeIdle ? s.Options.Eager || s.State != UpstreamState.Idle : s.State != UpstreamState.Idle).Select(async server =>
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_options.CallTimeout);
            try
            {
                var latency = await server.CheckAsync(timeout.Token);
                _metrics.Checked(server.Name, latency);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                HealthFailed(_logger, server.Name, Describe(ex));
            }
        }));
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        foreach (var server in _servers.Values)
        {
            await server.DisposeAsync();
        }
    }

    private async Task<CallToolResult> CallOneAsync(UpstreamServer server, McpToolCall call, IDictionary<string, JsonElement>? arguments, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(call.Timeout ?? _options.CallTimeout);
        try
        {
            using var lease = await server.Gate.WaitAsync(call.Tier, timeout.Token);
            using var permit = await server.RateLimiter.AcquireAsync(1, timeout.Token);
            if (!permit.IsAcquired)
            {
                throw new McpRoutingException($"rate limit of {server.Options.RateLimit} messages/s");
            }

            var name = await UpstreamNameAsync(server, call.Tool, timeout.Token);
            return await server.CallAsync(name, arguments, call.Progress, call.Session, timeout.Token);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer within {(call.Timeout ?? _options.CallTimeout).TotalSeconds:0.###} s");
        }
    }

    /// <summary>The candidate servers, in the order to try them, and the strategy.</summary>
    private async Task<(IReadOnlyList<UpstreamServer> Servers, RoutingStrategy Strategy)> ResolveAsync(McpToolCall call, CancellationToken cancellationToken)
    {
        if (call.Server is { } named)
        {
            return _servers.TryGetValue(named, out var server)
                ? ([server], RoutingStrategy.Dedicated)
                : throw new McpRoutingException($"No MCP server is named '{named}'; configured: {string.Join(", ", _servers.Keys.Order(StringComparer.Ordinal))}.");
        }

        var decision = _table.Decide(call.Tool);
        if (decision is null)
        {
            // Lazy discovery: learn who owns which tool, once, then decide again.
            await _discovering.WaitAsync(cancellationToken);
            try
            {
                decision = _table.Decide(call.Tool);
                if (decision is null)
                {
                    await ListToolsAsync(cancellationToken);
                    decision = _table.Decide(call.Tool);
                }
            }
            finally
            {
                _discovering.Release();
            }
        }

        if (decision is null)
        {
            throw new McpRoutingException($"No MCP server offers tool '{call.Tool}', and no routing rule matches it.");
        }

        if (decision.Rule is null)
        {
            return ([_servers[decision.Servers[0]]], RoutingStrategy.Dedicated);
        }

        var state = _rules.First(r => ReferenceEquals(r.Rule, decision.Rule));
        return (state.Order(), decision.Strategy);
    }

    private async Task<string> UpstreamNameAsync(UpstreamServer server, string tool, CancellationToken cancellationToken)
    {
        if (_upstreamNames.TryGetValue((server.Name, tool), out var known))
        {
            return known;
        }

        // "server.tool" names the server; a rule's "category.tool" may name a tool the server
        // lists without the category. The server's own list decides.
        var tools = await server.GetToolsAsync(cancellationToken);
        var candidates = new List<string> { tool };
        if (tool.StartsWith(server.Name + ".", StringComparison.Ordinal))
        {
            candidates.Insert(0, tool[(server.Name.Length + 1)..]);
        }

        var dot = tool.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            candidates.Add(tool[(dot + 1)..]);
        }

        var name = candidates.FirstOrDefault(c => tools.Any(t => t.Name == c)) ?? tool;
        _upstreamNames[(server.Name, tool)] = name;
        return name;
    }

    /// <summary>Raised after a server's tool list changed (a notification, or a listing that differs).</summary>
    public event Action<string>? ToolsChanged;

    private void OnToolsChanged(UpstreamServer server)
    {
        foreach (var key in _upstreamNames.Keys.Where(k => k.Server == server.Name))
        {
            _upstreamNames.TryRemove(key, out _);
        }

        _table = BuildTable();
        ToolsChanged?.Invoke(server.Name);
    }

    private RouteTable BuildTable()
    {
        // A tool offered by several servers goes to the best tier, then the first by name.
        var owners = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var server in _servers.Values.OrderBy(s => s.Options.Tier).ThenBy(s => s.Name, StringComparer.Ordinal))
        {
            foreach (var tool in server.RoutableTools ?? [])
            {
                owners.TryAdd(tool.Name, server.Name);
            }
        }

        return new RouteTable(_routingRules, _servers.Keys, owners);
    }

    private static RoutingRules LoadRules(McpRoutingOptions options)
    {
        if (options.RulesFile is { Length: > 0 } file)
        {
            if (!File.Exists(file))
            {
                throw new RoutingConfigurationException([$"RulesFile '{Path.GetFullPath(file)}' does not exist"]);
            }

            return RoutingRulesYaml.Parse(File.ReadAllText(file));
        }

        return options.Rules is { Length: > 0 } yaml ? RoutingRulesYaml.Parse(yaml) : RoutingRules.Default;
    }

    private static string Describe(Exception exception) => exception switch
    {
        TimeoutException timeout => timeout.Message,
        McpRoutingException routing => routing.Message,

        // The server answered, but not with MCP (a broken serializer, debug output on stdout):
        // the serializer's message names .NET types, the path says what was wrong.
        JsonException json => $"answered with a message that is not valid MCP{(json.Path is { Length: > 0 } path ? $" (at {path})" : "")}",
        _ => $"{exception.GetType().Name}: {exception.Message}",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP call {Tool} failed on {Server}: {Reason}")]
    private static partial void CallFailed(ILogger logger, string server, string tool, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server {Server} could not list its tools: {Reason}")]
    private static partial void DiscoveryFailed(ILogger logger, string server, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP server {Server} failed its health check: {Reason}")]
    private static partial void HealthFailed(ILogger logger, string server, string reason);

    /// <summary>A rule with its servers resolved, its weighted rotation and its rollout split.</summary>
    private sealed class RuleState
    {
        private readonly UpstreamServer[] _servers;
        private readonly WeightedRoundRobin<UpstreamServer>? _rotation;
        private readonly UpstreamServer? _rolloutTarget;

        public RuleState(RoutingRule rule, Dictionary<string, UpstreamServer> servers)
        {
            Rule = rule;
            _servers = [.. rule.Servers.Select(s => servers[s])];
            if (rule.Strategy == RoutingStrategy.WeightedRoundRobin)
            {
                _rotation = new WeightedRoundRobin<UpstreamServer>(_servers.Select(s => (s, s.Options.Weight)));
            }

            if (rule.Rollout is { } rollout)
            {
                _rolloutTarget = servers[rollout.Server];
                Split = new PercentageSplit(rollout.Percent);
            }
        }

        public RoutingRule Rule { get; }

        public PercentageSplit? Split { get; }

        /// <summary>The servers in the order to try them for one call.</summary>
        public IReadOnlyList<UpstreamServer> Order()
        {
            IReadOnlyList<UpstreamServer> order = _servers;
            if (_rotation is not null && _rotation.Next(s => s.Breaker.State != CircuitState.Open) is { } first)
            {
                var rotated = new UpstreamServer[_servers.Length];
                rotated[0] = first;
                var i = 1;
                foreach (var server in _servers)
                {
                    if (!ReferenceEquals(server, first))
                    {
                        rotated[i++] = server;
                    }
                }

                order = rotated;
            }

            if (_rolloutTarget is not null && Split!.Next())
            {
                return [_rolloutTarget, .. order.Where(s => !ReferenceEquals(s, _rolloutTarget))];
            }

            return _rolloutTarget is null ? order : [.. order.Where(s => !ReferenceEquals(s, _rolloutTarget))];
        }
    }
}

/// <summary>One server as the status API shows it.</summary>
public sealed record McpServerStatus(
    string Name,
    string Transport,
    int Tier,
    int Priority,
    UpstreamState State,
    CircuitState Breaker,
    int ConsecutiveFailures,
    double? LatencyMs,
    int Connections,
    int MaxConnections,
    int CallsInFlight,
    int PinnedSessions,
    string? ProtocolVersion,
    IReadOnlyList<string>? Tools,
    string? LastError);
