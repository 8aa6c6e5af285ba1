using System.Globalization;
using TaskFlow.Core.Model;
using TaskFlow.Routing.CircuitBreaking;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace TaskFlow.Routing;

/// <summary>
/// Reads the reference report's <c>mcp_routing_rules</c> YAML as it is written there (the block
/// may be the document's root member or the whole document). Every problem is collected and
/// reported at once, each naming its path, e.g. <c>routing_priorities[2].strategy</c>.
/// </summary>
public static class RoutingRulesYaml
{
    private static readonly Dictionary<string, RoutingStrategy> Strategies = new(StringComparer.OrdinalIgnoreCase)
    {
        ["failover"] = RoutingStrategy.Failover,
        ["dedicated"] = RoutingStrategy.Dedicated,
        ["isolated"] = RoutingStrategy.Isolated,
        ["weighted_round_robin"] = RoutingStrategy.WeightedRoundRobin,
    };

    /// <exception cref="RoutingConfigurationException">Lists every problem found.</exception>
    public static RoutingRules Parse(string yaml)
    {
        var problems = new List<string>();
        YamlMappingNode? root;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(yaml));
            root = stream.Documents.Count == 0 ? null : stream.Documents[0].RootNode as YamlMappingNode;
        }
        catch (YamlException ex)
        {
            throw new RoutingConfigurationException([$"the YAML does not parse at line {ex.Start.Line}, column {ex.Start.Column}: {ex.InnerException?.Message ?? ex.Message}"]);
        }

        if (root is null)
        {
            throw new RoutingConfigurationException(["the document is empty or not a mapping; expected mcp_routing_rules with load_balancing, routing_priorities and circuit_breakers"]);
        }

        if (Child(root, "mcp_routing_rules") is YamlMappingNode wrapped)
        {
            root = wrapped;
        }

        var rules = RoutingRules.Default;
        var balancing = rules.LoadBalancing;
        var interval = rules.HealthCheckInterval;
        if (Child(root, "load_balancing") is YamlMappingNode lb)
        {
            balancing = Strategy(Scalar(lb, "algorithm"), "load_balancing.algorithm", problems) ?? balancing;
            if (balancing == RoutingStrategy.Isolated)
            {
                problems.Add("load_balancing.algorithm: 'isolated' gives one rule a bulkhead of its own and cannot be the default for every tool; use weighted_round_robin, failover or dedicated");
                balancing = rules.LoadBalancing;
            }
            interval = Time(Scalar(lb, "health_check_interval"), "load_balancing.health_check_interval", problems) ?? interval;
        }

        var parsedRules = new List<RoutingRule>();
        if (Child(root, "routing_priorities") is { } priorities)
        {
            if (priorities is not YamlSequenceNode list)
            {
                problems.Add("routing_priorities must be a list of rules");
            }
            else
            {
                for (var i = 0; i < list.Children.Count; i++)
                {
                    var path = $"routing_priorities[{i}]";
                    if (list.Children[i] is not YamlMappingNode rule)
                    {
                        problems.Add($"{path} must be a mapping with pattern, servers and strategy");
                        continue;
                    }

                    var pattern = ToolPattern.TryParse(Scalar(rule, "pattern"), out var patternError);
                    if (pattern is null)
                    {
                        problems.Add($"{path}.pattern: {patternError}");
                    }

                    var servers = (Child(rule, "servers") as YamlSequenceNode)?.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "").Where(s => s.Length > 0).ToArray() ?? [];
                    if (servers.Length == 0)
                    {
                        problems.Add($"{path}.servers: list at least one server");
                    }

                    var strategy = Strategy(Scalar(rule, "strategy") ?? "failover", $"{path}.strategy", problems);
                    if (strategy is RoutingStrategy.Dedicated or RoutingStrategy.Isolated && servers.Length > 1)
                    {
                        problems.Add($"{path}: strategy {Scalar(rule, "strategy")} uses one server, but {servers.Length} are listed; use failover or weighted_round_robin for several");
                    }

                    StagedRollout? rollout = null;
                    if (Child(rule, "rollout") is YamlMappingNode stage)
                    {
                        var target = Scalar(stage, "server");
                        var percentText = Scalar(stage, "percent");
                        if (string.IsNullOrWhiteSpace(target))
                        {
                            problems.Add($"{path}.rollout.server: name the server that receives the share");
                        }
                        else if (!double.TryParse(percentText?.TrimEnd('%'), NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) || percent is < 0 or > 100)
                        {
                            problems.Add($"{path}.rollout.percent: '{percentText}' is not a percentage from 0 to 100");
                        }
                        else
                        {
                            rollout = new StagedRollout(target, percent);
                        }
                    }

                    var maxConcurrency = Count(Scalar(rule, "max_concurrency"), $"{path}.max_concurrency", problems);
                    if (maxConcurrency is not null && strategy != RoutingStrategy.Isolated)
                    {
                        problems.Add($"{path}.max_concurrency: only an isolated rule has a bulkhead of its own; remove it or use strategy isolated");
                    }

                    if (pattern is not null && servers.Length > 0 && strategy is { } s)
                    {
                        parsedRules.Add(new RoutingRule(pattern, servers, s, rollout, maxConcurrency));
                    }
                }
            }
        }

        var breakers = rules.CircuitBreakers;
        if (Child(root, "circuit_breakers") is YamlMappingNode cb)
        {
            breakers = new CircuitBreakerSettings(
                Count(Scalar(cb, "failure_threshold"), "circuit_breakers.failure_threshold", problems) ?? breakers.FailureThreshold,
                Time(Scalar(cb, "timeout"), "circuit_breakers.timeout", problems) ?? breakers.OpenDuration,
                Count(Scalar(cb, "half_open_requests"), "circuit_breakers.half_open_requests", problems) ?? breakers.HalfOpenRequests);
        }

        if (problems.Count > 0)
        {
            throw new RoutingConfigurationException(problems);
        }

        return new RoutingRules(balancing, interval, parsedRules, breakers);
    }

    private static YamlNode? Child(YamlMappingNode node, string name) =>
        node.Children.TryGetValue(new YamlScalarNode(name), out var child) ? child : null;

    private static string? Scalar(YamlMappingNode node, string name) => (Child(node, name) as YamlScalarNode)?.Value;

    private static RoutingStrategy? Strategy(string? text, string path, List<string> problems)
    {
        if (text is null)
        {
            return null;
        }

        if (Strategies.TryGetValue(text, out var strategy))
        {
            return strategy;
        }

        problems.Add($"{path}: '{text}' is not a strategy; use {string.Join(", ", Strategies.Keys)}");
        return null;
    }

    private static TimeSpan? Time(string? text, string path, List<string> problems)
    {
        if (text is null)
        {
            return null;
        }

        if (Duration.TryParse(text, out var value) && value > TimeSpan.Zero)
        {
            return value;
        }

        problems.Add($"{path}: '{text}' is not a positive duration such as 30s or 5m");
        return null;
    }

    private static int? Count(string? text, string path, List<string> problems)
    {
        if (text is null)
        {
            return null;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
        {
            return value;
        }

        problems.Add($"{path}: '{text}' is not a whole number above 0");
        return null;
    }
}

/// <summary>Routing rules that cannot be used; the message lists every problem.</summary>
public sealed class RoutingConfigurationException(IReadOnlyList<string> problems)
    : Exception("The MCP routing rules are invalid: " + string.Join("; ", problems) + ".")
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
