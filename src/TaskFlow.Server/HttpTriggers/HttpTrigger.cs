using TaskFlow.Core.HttpTriggers;
using TaskFlow.Core.Model;

namespace TaskFlow.Server.HttpTriggers;

/// <summary>One served route: a published definition's <c>http</c> trigger.</summary>
/// <param name="RespondNodes">The ids of the definition's <c>http.respond</c> nodes; the caller waits for one of them.</param>
internal sealed record HttpTrigger(string DefinitionId, int Version, int Index, HttpRoute Route, IReadOnlyList<string> Methods, TriggerDefinition Definition, IReadOnlyList<string> RespondNodes)
{
    public string Auth => Definition.Auth ?? "apiKey";
}
