using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace TaskFlow.Server.Tests.Deployment;

/// <summary>
/// <c>docker/docker-compose.yml</c> as Docker Compose reads it: services, their environment and
/// command after variable interpolation (<c>${NAME}</c>, <c>${NAME:-default}</c>,
/// <c>${NAME:?error}</c>, <c>$$</c>), healthchecks and published ports.
/// </summary>
internal sealed partial class ComposeFile(YamlMappingNode root)
{
    public YamlMappingNode Root { get; } = root;

    public static ComposeFile Load() => new(DeploymentFiles.LoadYaml(DeploymentFiles.Compose));

    public YamlMappingNode Services => Root.Mapping("services", "docker-compose.yml");

    public YamlMappingNode Service(string name) => Services.Mapping(name, "docker-compose.yml services");

    /// <summary>
    /// The service's <c>environment</c> (mapping or <c>KEY=VALUE</c> list), interpolated with
    /// <paramref name="variables"/> as Compose would with the same <c>.env</c>. A variable
    /// without a value (passed through from the host) comes back as null.
    /// </summary>
    public IReadOnlyDictionary<string, string?> Environment(string service, IReadOnlyDictionary<string, string> variables)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        switch (Service(service).Child("environment"))
        {
            case null:
                break;
            case YamlMappingNode map:
                foreach (var (key, value) in map.Entries())
                {
                    var text = (value as YamlScalarNode)?.Value;
                    result[key] = string.IsNullOrEmpty(text) ? null : Interpolate(text, variables);
                }

                break;
            case YamlSequenceNode list:
                foreach (var item in list.Strings())
                {
                    var (key, value) = item.Split('=', 2) is [var k, var v] ? (k, (string?)Interpolate(v, variables)) : (item, null);
                    result[key] = value;
                }

                break;
            default:
                throw new Xunit.Sdk.XunitException($"services.{service}.environment is neither a mapping nor a list.");
        }

        return result;
    }

    /// <summary>The service's <c>command</c> in exec form, interpolated; null when the image's CMD applies.</summary>
    public IReadOnlyList<string>? Command(string service, IReadOnlyDictionary<string, string> variables) =>
        Service(service).Child("command") switch
        {
            null => null,
            YamlSequenceNode list => [.. list.Strings().Select(s => Interpolate(s, variables))],
            var other => throw new Xunit.Sdk.XunitException($"services.{service}.command should be a list (exec form), found {other.NodeType}."),
        };

    /// <summary>The healthcheck's <c>test</c> as a list (<c>["CMD", ...]</c> or <c>["CMD-SHELL", "..."]</c>), or null.</summary>
    public IReadOnlyList<string>? HealthcheckTest(string service)
    {
        if (Service(service).Child("healthcheck") is not YamlMappingNode healthcheck || healthcheck.Scalar("disable") == "true")
        {
            return null;
        }

        return healthcheck.Child("test") switch
        {
            YamlSequenceNode list => list.Strings(),
            YamlScalarNode { Value: { Length: > 0 } shell } => ["CMD-SHELL", shell],
            _ => null,
        };
    }

    /// <summary>The <c>ports</c> entries in short syntax (<c>[HOST_IP:]HOST_PORT:CONTAINER_PORT</c>).</summary>
    public IReadOnlyList<string> Ports(string service) =>
        Service(service).Child("ports") is YamlSequenceNode ports ? ports.Strings() : [];

    /// <summary>Every <c>${NAME...}</c> in the file whose form makes Compose stop when NAME is unset or empty.</summary>
    public static IReadOnlyList<string> RequiredVariables(string text) =>
        [.. Placeholder().Matches(text).Where(m => m.Groups["op"].Value == ":?").Select(m => m.Groups["name"].Value).Distinct(StringComparer.Ordinal)];

    /// <summary>Compose's interpolation for the forms this file may use; anything else fails the test.</summary>
    public static string Interpolate(string text, IReadOnlyDictionary<string, string> variables) =>
        Placeholder().Replace(text, match =>
        {
            if (match.Value == "$$")
            {
                return "$";
            }

            var name = match.Groups["name"].Success ? match.Groups["name"].Value : match.Groups["bare"].Value;
            var value = variables.GetValueOrDefault(name);
            var (op, argument) = (match.Groups["op"].Value, match.Groups["arg"].Value);
            return op switch
            {
                "" => value ?? "",
                ":-" => string.IsNullOrEmpty(value) ? argument : value,
                "-" => value ?? argument,
                ":?" => string.IsNullOrEmpty(value) ? throw new ComposeVariableException(name, argument) : value,
                "?" => value ?? throw new ComposeVariableException(name, argument),
                _ => throw new Xunit.Sdk.XunitException($"Interpolation form '{match.Value}' is not handled by this test."),
            };
        });

    [GeneratedRegex(@"\$\$|\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?<op>:?[-?+])(?<arg>[^}]*))?\}|\$(?<bare>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex Placeholder();
}

/// <summary>What <c>docker compose</c> reports for <c>${NAME:?message}</c> when NAME is unset: it stops with the message.</summary>
internal sealed class ComposeVariableException(string variable, string message)
    : Exception($"required variable {variable} is missing a value: {message}")
{
    public string Variable { get; } = variable;
}
