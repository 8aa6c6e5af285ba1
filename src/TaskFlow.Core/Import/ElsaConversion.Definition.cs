using System.Text.Json.Nodes;
using TaskFlow.Core.Model;

namespace TaskFlow.Core.Import;

/// <summary>The definition-level members: id, variables, inputs.</summary>
internal sealed partial class ElsaConversion
{
    private const string FallbackId = "elsa-workflow";

    /// <summary>The id a conversion of <paramref name="document"/> gives its definition, without converting it.</summary>
    internal static string PeekId(JsonObject document, string? fileName) =>
        ((string[])["definitionId", "id", "name"]).Select(m => ElsaIds.Sanitize(NonEmpty(document[m]))).FirstOrDefault(id => id is not null)
        ?? ElsaIds.Sanitize(Path.GetFileNameWithoutExtension(fileName))
        ?? FallbackId;

    private string DefinitionId()
    {
        foreach (var member in (string[])["definitionId", "id", "name"])
        {
            if (NonEmpty(document[member]) is not { } raw)
            {
                continue;
            }

            if (ElsaIds.Sanitize(raw) is { } id)
            {
                if (id != raw)
                {
                    Note(null, null, $"The Elsa {member} '{raw}' is not a valid TaskFlow id; the definition id is '{id}'.");
                }

                return id;
            }
        }

        if (ElsaIds.Sanitize(Path.GetFileNameWithoutExtension(context.FileName)) is { } fromFile)
        {
            Note(null, null, $"The Elsa definition has no definitionId, id or name; the definition id is '{fromFile}', from its file name.");
            return fromFile;
        }

        Note(null, null, $"The Elsa definition has no usable definitionId, id or name; the definition id is '{FallbackId}'. Change it before saving.");
        return FallbackId;
    }

    private void ReadVariables(JsonNode? list)
    {
        foreach (var item in ElsaJson.Array(list) ?? [])
        {
            if (item is not JsonObject variable || NonEmpty(variable["name"]) is not { } name)
            {
                Note(null, null, "A variable without a name was left out.");
                continue;
            }

            _names.AddVariable(ElsaJson.String(variable["id"]), name);
            if (_variables.ContainsKey(name))
            {
                continue;
            }

            // Elsa stores a variable's initial value as text ("0" for an Int32), or not at all.
            var isArray = ElsaJson.Boolean(variable["isArray"]) == true;
            _variables[name] = variable["value"] switch
            {
                null => null,
                JsonValue value when ElsaJson.String(value) is { } text => ElsaValues.Typed(text, ElsaJson.String(variable["typeName"]), isArray),
                var value => value.DeepClone(),
            };
        }
    }

    private void ReadInputs(JsonNode? list)
    {
        foreach (var item in ElsaJson.Array(list) ?? [])
        {
            if (item is not JsonObject input || NonEmpty(input["name"]) is not { } name)
            {
                Note(null, null, "A workflow input without a name was left out.");
                continue;
            }

            var typeName = ElsaJson.String(input["type"]) ?? ElsaJson.String(input["typeName"]);
            var type = ElsaValues.InputType(typeName, ElsaJson.Boolean(input["isArray"]) == true);
            if (type is null)
            {
                Note(null, null, $"Workflow input '{name}' has the .NET type '{typeName}', which has no TaskFlow equivalent; it is declared as 'any'.");
            }

            _names.AddInput(name);
            _inputs[name] = new InputDefinition
            {
                Type = type ?? "any",
                Required = ElsaJson.Boolean(input["isRequired"]) == true || ElsaJson.Boolean(input["required"]) == true,
                Default = input["defaultValue"] is { } value
                    ? ElsaJson.String(value) is { } text ? ElsaValues.Typed(text, typeName) : value.DeepClone()
                    : null,
                Description = NonEmpty(input["description"]) ?? NonEmpty(input["displayName"]),
            };
        }
    }
}
