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

/// <summary>One tool call: the tool (a rule's name, the upstream's own name, or <c>server.tool</c>), its arguments and tier.</summary>
/// <param name="Server">A server to use instead of the routing rules.</param>
/// <param name="Progress">Receives the upstream's progress notifications for this call.</param>
/// <param name="Session">
/// The downstream session the call belongs to (the gateway passes its client's session). On a
/// server configured with <c>Session: Pinned</c> whose protocol keeps state per session, every
/// call of one session goes to an upstream session of its own, closed by
/// <see cref="McpRouter.EndSessionAsync"/>. Otherwise the session shares the server's pool.
/// </param>
/// <param name="RawArguments">
/// Arguments already in wire form (the gateway passes its client's through unchanged), used
/// instead of <see cref="Arguments"/> so that they are not converted twice.
/// </param>
/// <param name="Client">
/// The gateway client the call came from: the server's sampling and elicitation requests during
/// the call are forwarded to it (see <see cref="IDownstreamClient"/>). Null for a workflow's call.
/// </param>
public sealed record McpToolCall(string Tool, JsonObject? Arguments = null, int Tier = 3, string? Server = null, TimeSpan? Timeout = null, IProgress<ProgressNotificationValue>? Progress = null, string? Session = null, IDictionary<string, JsonElement>? RawArguments = null, IDownstreamClient? Client = null);

/// <summary>What a call returned, and from where. <c>Result.IsError</c> is a tool error: the server answered.</summary>
public sealed record McpCallOutcome(string Server, string Tool, CallToolResult Result, int Attempts);

/// <summary>
/// Routes tool calls to the upstream fleet: by rule (pattern, servers, strategy, staged rollout),
/// otherwise to the servers that list the tool. Only servers that list the tool are tried. Each
/// server has a circuit breaker, a rate limiter, a bulkhead admitting calls by tier and a
/// connection pool; a global gate admits calls by tier too, so a tier-1 call finds capacity
/// however many tier-4 calls are waiting.
/// </summary>
public sealed partial class McpRouter : IAsyncDisposable
{
    private readonly Dictionary<string, UpstreamServer> _servers;
    private readonly Dictionary<RoutingRule, RouteStrategy> _ruleStrategies;

    // One server's own route (a call naming it, or a tool only it lists), made once, not per call.
    private readonly Dictionary<string, DedicatedStrategy> _direct;
    private readonly List<UpstreamServer> _isolated = [];
    private readonly McpRoutingOptions _options;
    private readonly RoutingRules _routingRules;
    private readonly ConnectionBudget _budget;
    private readonly TierGate _gate;
    private readonly RoutingMetrics _metrics;
    private readonly ILogger<McpRouter> _logger;
    private readonly SemaphoreSlim _discovering = new(1, 1);
    private readonly TaskFlow.Engine.Secrets.SecretStore? _secrets;
    private readonly Upstreams.IUpstreamSandbox? _sandbox;
    private readonly ILoggerFactory _loggers;
    private readonly TimeProvider _time;

    // The strategy for a tool outside the rules that several servers list; rebuilt with the table.
    private ConcurrentDictionary<string, RouteStrategy> _ownedStrategies = new(StringComparer.Ordinal);
    private volatile RouteTable _table;

    /// <param name="secrets">Resolves <c>{{ secrets.NAME }}</c> in servers' headers and environment when they connect; without it they are sent as written.</param>
    /// <param name="sandbox">Runs servers with a workspace policy inside a workspace; without it such a server cannot start.</param>
    public McpRouter(IOptions<McpRoutingOptions> options, RoutingMetrics metrics, ILoggerFactory loggers, TimeProvider time, TaskFlow.Engine.Secrets.SecretStore? secrets = null, Upstreams.IUpstreamSandbox? sandbox = null)
    {
        _secrets = secrets;
        _sandbox = sandbox;
        _loggers = loggers;
        _time = time;
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
            p => new UpstreamServer(p.Key, p.Value, _options, _routingRules.CircuitBreakers, _budget, loggers, time, secrets: secrets, sandbox: sandbox, roots: () => Roots),
            StringComparer.Ordinal);
        _direct = _servers.ToDictionary(p => p.Key, p => new DedicatedStrategy(p.Value), StringComparer.Ordinal);
        foreach (var server in _servers.Values)
        {
            server.ToolsChanged += OnToolsChanged;
            server.CatalogChanged += OnCatalogChanged;
            server.ResourceUpdated += OnResourceUpdated;
            server.LogMessage += OnLogMessage;
        }

        _ruleStrategies = new Dictionary<RoutingRule, RouteStrategy>(ReferenceEqualityComparer.Instance);
        foreach (var rule in _routingRules.Rules)
        {
            _ruleStrategies[rule] = CreateStrategy(rule, loggers, time);
        }

        foreach (var isolated in _isolated)
        {
            isolated.ToolsChanged += OnToolsChanged;
        }

        _table = BuildTable();
        _metrics.Observe(this);
    }

    public RoutingRules Rules => _routingRules;

    internal IReadOnlyCollection<UpstreamServer> Servers => _servers.Values;

    /// <summary>The gateway's sessions, asked for their roots by servers whose connections are one session's own; null outside a gateway.</summary>
    public IDownstreamRoots? Roots { get; set; }

    /// <summary>Tells each server with a connection of <paramref name="session"/>'s own that the session's roots changed (<c>notifications/roots/list_changed</c>).</summary>
    public Task RootsChangedAsync(string session) => Task.WhenAll(_servers.Values.Select(s => s.RootsChangedAsync(session)));

    /// <summary>The configured server of that name; null when there is none.</summary>
    internal UpstreamServer? ServerNamed(string name) => _servers.GetValueOrDefault(name);

    internal ConnectionBudget Budget => _budget;

    /// <summary>Calls a tool through the fleet.</summary>
    /// <exception cref="McpRoutingException">No server offers the tool, or it failed on every server tried (the message lists each attempt).</exception>
    /// <summary>Whether the server always runs confined to a workspace (<see cref="UpstreamServerOptions.Workspace"/>); null for a server not configured.</summary>
    public bool? IsConfined(string server) => _servers.TryGetValue(server, out var upstream) ? upstream.Options.Workspace is { OnlyWhenAsked: false } : null;

    /// <summary>Whether a node that asks for a workspace gets a confined copy of the server (<see cref="UpstreamWorkspaceOptions.OnlyWhenAsked"/>).</summary>
    public bool ConfinesWhenAsked(string server) => _servers.TryGetValue(server, out var upstream) && upstream.Options.Workspace is { OnlyWhenAsked: true };

    /// <summary>
    /// Calls a tool on a copy of <paramref name="server"/> confined to a workspace of its own, made
    /// for this call from the server's workspace policy with <paramref name="limits"/> over it, and
    /// gone (its process, its workspace and what is in it) when the call has ended. The copy is not
    /// pooled, shares no state with the server's host processes, and counts against the router's
    /// connection budget while it runs.
    /// </summary>
    public async Task<McpCallOutcome> CallConfinedAsync(string server, Func<UpstreamWorkspaceOptions, UpstreamWorkspaceOptions> limits, McpToolCall call, CancellationToken cancellationToken = default)
    {
        if (!_servers.TryGetValue(server, out var upstream) || upstream.Options.Workspace is not { OnlyWhenAsked: true } policy)
        {
            throw new McpRoutingException($"MCP server '{server}' has no workspace policy with OnlyWhenAsked, so no confined copy of it can be made for a node.");
        }

        var options = upstream.Options.ConfinedCopy(limits(policy.ConfinedCopy()));
        await using var copy = new UpstreamServer(server, options, _options, _routingRules.CircuitBreakers, _budget, _loggers, _time, secrets: _secrets, sandbox: _sandbox);
        var arguments = call.RawArguments ?? call.Arguments?.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value, McpJsonUtilities.DefaultOptions));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(call.Timeout ?? _options.CallTimeout);
        try
        {
            var result = await copy.CallAsync(call.Tool, arguments, call.Progress, session: null, timeout.Token);
            return new McpCallOutcome(server, call.Tool, result, 1);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new McpRoutingException($"Tool '{call.Tool}' on the confined copy of '{server}': no answer within {(call.Timeout ?? _options.CallTimeout).TotalSeconds:0.###} s.");
        }
        catch (Exception ex) when (ex is not (McpRoutingException or OperationCanceledException))
        {
            throw new McpRoutingException($"Tool '{call.Tool}' on the confined copy of '{server}' failed: {FailureText.Of(ex)}", ex);
        }
    }

    public async Task<McpCallOutcome> CallToolAsync(McpToolCall call, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(call.Tier, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(call.Tier, 4);
        var (strategy, rule) = await ResolveAsync(call, cancellationToken);
        using var admitted = await _gate.WaitAsync(call.Tier, cancellationToken);
        using var bulkhead = strategy is IsolatedStrategy isolated ? await isolated.Bulkhead.WaitAsync(call.Tier, cancellationToken) : default(TierGate.Lease?);
        var arguments = call.RawArguments
            ?? call.Arguments?.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value, McpJsonUtilities.DefaultOptions));
        var attempts = new List<string>();
        var tried = 0;
        var retried = false;
        var candidates = strategy.Order();
        for (var i = 0; i < candidates.Count; i++)
        {
            var server = candidates[i];
            var name = KnownUpstreamName(server, call, rule);
            if (name is { Length: 0 })
            {
                attempts.Add($"{server.Name}: does not list '{call.Tool}'");
                continue;
            }

            while (true)
            {
                if (!server.Breaker.TryEnter())
                {
                    tried++;
                    attempts.Add($"{server.Name}: circuit open{(server.Breaker.RetryAfter is { } after ? $", probes allowed in {after.TotalSeconds:0.#} s" : "")}");
                    break;
                }

                tried++;
                var started = TimeProvider.System.GetTimestamp();
                try
                {
                    // Tools not known yet: list them (starting the server) inside the breaker's
                    // bracket, so a server that cannot start counts against it like a failed call.
                    name ??= await ListedUpstreamNameAsync(server, call, rule, cancellationToken);
                    if (name.Length == 0)
                    {
                        server.Breaker.OnCancelled();
                        tried--;
                        attempts.Add($"{server.Name}: does not list '{call.Tool}'");
                        break;
                    }

                    var result = await CallOneAsync(server, call, name, arguments, cancellationToken);
                    server.Breaker.OnSuccess();
                    _metrics.Called(server.Name, TimeProvider.System.GetElapsedTime(started), failed: false);
                    return new McpCallOutcome(server.Name, name, result, tried);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    server.Breaker.OnCancelled();
                    throw;
                }
                catch (McpProtocolException ex)
                {
                    // The server is alive and answered with an error: not a server failure, and
                    // another server would answer the same.
                    server.Breaker.OnSuccess();
                    _metrics.Called(server.Name, TimeProvider.System.GetElapsedTime(started), failed: true);
                    throw new McpRoutingException(DescribeAnswer(server.Name, call.Tool, ex), ex);
                }
                catch (UpstreamConnectionLostException lost)
                {
                    // One crash is one failure, however many calls it cut off: the server counted
                    // it when it saw the loss, so this call gives no verdict of its own.
                    server.Breaker.OnCancelled();

                    _metrics.Called(server.Name, TimeProvider.System.GetElapsedTime(started), failed: true);
                    attempts.Add($"{server.Name}: {lost.Message}");
                    // A listing cut off (name still unknown) is always safe to send again.
                    if (retried || (name is not null && !server.IsIdempotent(name)))
                    {
                        // The call may have run before the connection went: repeating a tool not
                        // known to be safe to repeat could do its work twice.
                        var why = retried ? "it was already retried once" : $"'{name}' is not marked idempotent (IdempotentTools, or idempotentHint/readOnlyHint in its listing)";
                        throw new McpRoutingException($"Tool '{call.Tool}' lost its connection mid-call and was not retried, because {why}: {string.Join("; ", attempts)}.");
                    }

                    retried = true;
                    if (strategy.FailsOver && await AnyListsAsync(candidates.Skip(i + 1), call, rule, cancellationToken))
                    {
                        break;
                    }

                    // Once more on the same server: wait for the start that replaces the lost
                    // connection, which also lets the call through a breaker the crash opened.
                    CallRetried(_logger, call.Tool, server.Name);
                    await lost.Restarted.WaitAsync(cancellationToken);
                }
                catch (Exception ex)
                {
                    server.Breaker.OnFailure();
                    _metrics.Called(server.Name, TimeProvider.System.GetElapsedTime(started), failed: true);
                    attempts.Add($"{server.Name}: {FailureText.Of(ex)}");
                    CallFailed(_logger, server.Name, call.Tool, FailureText.Of(ex));
                    if (!strategy.FailsOver)
                    {
                        return Fail(call, attempts);
                    }

                    break;
                }
            }
        }

        return Fail(call, attempts);
    }

    /// <summary>Whether any of <paramref name="servers"/> lists the called tool (listing those not known yet; one that cannot be listed does not).</summary>
    private async Task<bool> AnyListsAsync(IEnumerable<UpstreamServer> servers, McpToolCall call, RoutingRule? rule, CancellationToken cancellationToken)
    {
        foreach (var server in servers)
        {
            try
            {
                if ((KnownUpstreamName(server, call, rule) ?? await ListedUpstreamNameAsync(server, call, rule, cancellationToken)).Length > 0)
                {
                    return true;
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                // It cannot be listed now, so it cannot take the call either.
            }
        }

        return false;
    }

    private static McpCallOutcome Fail(McpToolCall call, List<string> attempts) =>
        throw new McpRoutingException(attempts.Count == 0
            ? $"No server could take tool '{call.Tool}'."
            : $"Tool '{call.Tool}' failed on every server tried: {string.Join("; ", attempts)}.");

    /// <summary>Changes a rule's staged rollout share at run time: 0 rolls back at once.</summary>
    /// <returns>False when no rule has that pattern or it has no rollout.</returns>
    public bool SetRolloutPercent(string pattern, double percent)
    {
        var rollout = _ruleStrategies.FirstOrDefault(p => p.Key.Pattern.Text == pattern && p.Value is StagedRolloutStrategy).Value as StagedRolloutStrategy;
        if (rollout is null)
        {
            return false;
        }

        rollout.Split.Percent = percent;
        return true;
    }

    /// <summary>Closes the upstream sessions a downstream session was given (see <see cref="McpToolCall.Session"/>).</summary>
    public Task EndSessionAsync(string session) => Task.WhenAll(_servers.Values.Select(s => s.EndSessionAsync(session)));

    /// <summary>The configured tier of a server; null for an unknown name.</summary>
    public int? TierOf(string server) => _servers.TryGetValue(server, out var s) ? s.Options.Tier : null;

    private async Task<CallToolResult> CallOneAsync(UpstreamServer server, McpToolCall call, string name, IDictionary<string, JsonElement>? arguments, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(call.Timeout ?? _options.CallTimeout);
        try
        {
            using var span = Diagnostics.RoutingTracing.StartCall(server.Name, server.Options.Transport, server.Breaker.State, call.Tier, call.Tool, name);
            try
            {
                using var lease = await server.Gate.WaitAsync(call.Tier, timeout.Token);
                using var permit = await server.RateLimiter.AcquireAsync(1, timeout.Token);
                if (!permit.IsAcquired)
                {
                    throw new McpRoutingException($"rate limit of {server.Options.RateLimit} messages/s");
                }

                var result = await server.CallAsync(name, arguments, call.Progress, call.Session, timeout.Token, call.Client);
                if (result.IsError == true)
                {
                    span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, "the tool answered with an error");
                    span?.SetTag(Diagnostics.RoutingTracing.Tags.ErrorType, "tool_error");
                }

                return result;
            }
            catch (Exception ex)
            {
                Diagnostics.RoutingTracing.Failed(span, ex);
                throw;
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer within {(call.Timeout ?? _options.CallTimeout).TotalSeconds:0.###} s");
        }
    }

    /// <summary>The strategy that orders the candidate servers, and the rule that decided (null when none did).</summary>
    private async Task<(RouteStrategy Strategy, RoutingRule? Rule)> ResolveAsync(McpToolCall call, CancellationToken cancellationToken)
    {
        if (call.Server is { } named)
        {
            return _direct.TryGetValue(named, out var direct)
                ? (direct, null)
                : throw new McpRoutingException($"No MCP server is named '{named}'; configured: {string.Join(", ", _servers.Keys.Order(StringComparer.Ordinal))}.");
        }

        var decision = _table.Decide(call.Tool);
        if (decision is null && !IsKnownUnknown(call.Tool))
        {
            // Lazy discovery: learn who lists which tool, once, then decide again.
            await _discovering.WaitAsync(cancellationToken);
            try
            {
                decision = _table.Decide(call.Tool);
                if (decision is null && !IsKnownUnknown(call.Tool))
                {
                    await ListToolsAsync(cancellationToken);
                    decision = _table.Decide(call.Tool);
                    if (decision is null)
                    {
                        RememberUnknown(call.Tool);
                    }
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

        if (decision.Rule is { } rule)
        {
            return (_ruleStrategies[rule], rule);
        }

        if (decision.Servers.Count == 1)
        {
            return (_direct[decision.Servers[0]], null);
        }

        return (_ownedStrategies.GetOrAdd(call.Tool, _ => OwnedStrategy(decision)), null);
    }

    /// <summary>
    /// The strategy for a tool outside the rules that several servers list: <c>load_balancing.algorithm</c>
    /// among those of the best tier, the lower tiers after them as fallbacks (tiers are priorities).
    /// </summary>
    private RouteStrategy OwnedStrategy(RouteDecision decision)
    {
        var servers = decision.Servers.Select(s => _servers[s]).ToList();
        var best = servers.Min(s => s.Options.Tier);
        return decision.Strategy switch
        {
            RoutingStrategy.WeightedRoundRobin => new WeightedRoundRobinStrategy([.. servers.Where(s => s.Options.Tier == best)], [.. servers.Where(s => s.Options.Tier != best)]),
            RoutingStrategy.Failover => new FailoverStrategy(servers),
            _ => new DedicatedStrategy(servers[0]),
        };
    }

    private RouteStrategy CreateStrategy(RoutingRule rule, ILoggerFactory loggers, TimeProvider time)
    {
        if (rule.Strategy == RoutingStrategy.Isolated)
        {
            // The rule's own instance of the server: its own pool, breaker and tool cache.
            var shared = _servers[rule.Servers[0]];
            var own = new UpstreamServer(shared.Name, shared.Options, _options, _routingRules.CircuitBreakers, _budget, loggers, time, isolatedFor: rule.Pattern.Text, secrets: _secrets, sandbox: _sandbox);
            _isolated.Add(own);
            return new IsolatedStrategy(own, rule.MaxConcurrency ?? shared.Options.MaxConnections * shared.Options.CallsPerConnection);
        }

        var strategy = RouteStrategy.Create(rule.Strategy, [.. rule.Servers.Select(s => _servers[s])]);
        return rule.Rollout is { } rollout ? new StagedRolloutStrategy(strategy, _servers[rollout.Server], rollout.Percent) : strategy;
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

    /// <summary>What an error answer means: the tool failed while running, or the server refused the request.</summary>
    private static string DescribeAnswer(string server, string tool, McpProtocolException ex) => ex.ErrorCode switch
    {
        McpErrorCode.InternalError => $"Tool '{tool}' failed on server '{server}': {ex.Message}",
        _ => $"Server '{server}' refused tool '{tool}': {ex.Message}",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "MCP call {Tool} failed on {Server}: {Reason}")]
    private static partial void CallFailed(ILogger logger, string server, string tool, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "MCP call {Tool} lost its connection to {Server} mid-call; the tool is idempotent, so it is sent once more")]
    private static partial void CallRetried(ILogger logger, string tool, string server);
}
