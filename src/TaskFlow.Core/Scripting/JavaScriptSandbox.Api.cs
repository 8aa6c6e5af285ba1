using Jint;
using Jint.Native;
using Jint.Native.Json;
using Jint.Native.Object;
using Jint.Runtime;
using Jint.Runtime.Interop;

namespace TaskFlow.Core.Scripting;

// Elsa's script API, where it means something in TaskFlow. The functions read the evaluation's
// scope through Root, so getVariable and variables.x see the same object.
internal sealed partial class JavaScriptSandbox
{
    private void InstallApi()
    {
        Define("getVariable", 1, (_, a) => Member(Root("vars"), Arg(a, 0)));
        Define("setVariable", 2, (_, a) => SetVariable(Arg(a, 0), Arg(a, 1)));
        Define("getInput", 1, (_, a) => Member(Root("input"), Arg(a, 0)));
        Define("getOutputFrom", 2, (_, a) => GetOutputFrom(Arg(a, 0), Arg(a, 1)));
        Define("getLastResult", 0, (_, _) => Root("output") is { } output && !output.IsUndefined() ? output : JsValue.Null);
        Define("getWorkflowInstanceId", 0, (_, _) => Member(Root("instance"), "id"));
        Define("getCorrelationId", 0, (_, _) => Member(Root("instance"), "correlationId") is var id && id.IsUndefined() ? JsValue.Null : Member(Root("instance"), "correlationId"));
        Define("setCorrelationId", 1, (_, _) => throw Error(
            "setCorrelationId is not supported: a run's correlation id is fixed when it starts (correlationId in the run request, or the X-Correlation-Id header)."));
        Define("isNullOrEmpty", 1, (_, a) => Arg(a, 0) is var v && (v.IsNull() || v.IsUndefined() || (v.IsString() && v.AsString().Length == 0)));
        Define("isNullOrWhiteSpace", 1, (_, a) => Arg(a, 0) is var v && (v.IsNull() || v.IsUndefined() || (v.IsString() && string.IsNullOrWhiteSpace(v.AsString()))));
        Define("parseGuid", 1, (_, a) => ParseGuid(Arg(a, 0)));
        Define("newGuid", 0, (_, _) => Guid.NewGuid().ToString());
        Define("newGuidString", 0, (_, _) => Guid.NewGuid().ToString());
        Define("newShortGuid", 0, (_, _) => ShortGuid());
        Define("getGuidString", 0, (_, _) => Guid.NewGuid().ToString());
        Define("getShortGuid", 0, (_, _) => ShortGuid());
        Define("stringToBase64", 1, (_, a) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(TypeConverter.ToString(Arg(a, 0)))));
        Define("stringFromBase64", 1, (_, a) => FromBase64(Arg(a, 0)));
        Define("toJson", 1, (_, a) => new JsonSerializer(_engine).Serialize(Arg(a, 0)));
        Define("parseJson", 1, (_, a) => Arg(a, 0) is var text && text.IsString() ? new JsonParser(_engine).Parse(text.AsString()) : throw Error("parseJson expects a string."));
    }

    private void Define(string name, int length, Func<JsValue, JsValue[], JsValue> body) =>
        _engine.SetValue(name, new ClrFunction(_engine, name, body, length));

    // Elsa's get{Name}() and set{Name}(value) for each variable the script names that way; defined
    // for this evaluation only (the snapshot restore removes them).
    private void DefineVariableAccessors(JavaScriptExpression expression)
    {
        if (_scope?["vars"] is not System.Text.Json.Nodes.JsonObject variables)
        {
            return;
        }

        foreach (var global in expression.Globals)
        {
            if (global.Length <= 3 || !(global.StartsWith("get", StringComparison.Ordinal) || global.StartsWith("set", StringComparison.Ordinal))
                || _engine.Global.HasOwnProperty(global))
            {
                continue;
            }

            // getMyVariable names MyVariable (Elsa's spelling) or, failing that, myVariable.
            var name = global[3..];
            if (!variables.ContainsKey(name))
            {
                name = char.ToLowerInvariant(name[0]) + name[1..];
                if (!variables.ContainsKey(name))
                {
                    continue;
                }
            }

            if (global[0] == 'g')
            {
                Define(global, 0, (_, _) => Member(Root("vars"), name));
            }
            else
            {
                Define(global, 1, (_, a) => SetVariable(name, Arg(a, 0)));
            }
        }
    }

    // Elsa writes back what a script assigned to variables.X; so does TaskFlow, for variables and vars.
    private void RecordAssignedVariables()
    {
        if (!_roots.TryGetValue("vars", out var value) || value is not ObjectInstance variables)
        {
            return;
        }

        var original = _scope?["vars"] as System.Text.Json.Nodes.JsonObject;
        foreach (var key in variables.GetOwnPropertyKeys(Types.String))
        {
            var name = key.AsString();
            var before = original?[name];
            var current = variables.Get(name);
            if (current is LazyJsonObject lazy && lazy.IsUntouchedViewOf(before))
            {
                continue;
            }

            var after = ScriptValues.ToJson(_engine, current);
            if (!System.Text.Json.Nodes.JsonNode.DeepEquals(before, after) || (original?.ContainsKey(name) != true))
            {
                _effects!.SetVariable(name, after);
            }
        }
    }

    // As Elsa's: a new GUID's Base64 with '/', '+' and '=' removed. Letters and digits only, so 22
    // characters at most and, about once in 250, fewer than 19.
    private static string ShortGuid() =>
        Convert.ToBase64String(Guid.NewGuid().ToByteArray()).Replace("/", "", StringComparison.Ordinal).Replace("+", "", StringComparison.Ordinal).Replace("=", "", StringComparison.Ordinal);

    private JsValue FromBase64(JsValue text)
    {
        try
        {
            return System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(TypeConverter.ToString(text)));
        }
        catch (FormatException)
        {
            throw Error("stringFromBase64: the text is not Base64.");
        }
    }

    private static JsValue Arg(JsValue[] arguments, int index) => index < arguments.Length ? arguments[index] : JsValue.Undefined;

    private static JsValue Member(JsValue target, JsValue name) =>
        target is ObjectInstance obj && !name.IsUndefined() ? obj.Get(TypeConverter.ToPropertyKey(name)) : JsValue.Undefined;

    private JsValue GetOutputFrom(JsValue nodeId, JsValue outputName)
    {
        var output = Member(Member(Root("nodes"), nodeId), "output");
        return outputName.IsUndefined() || outputName.IsNull() ? output : Member(output, outputName);
    }

    private JsValue SetVariable(JsValue name, JsValue value)
    {
        if (!name.IsString() || name.AsString().Length == 0)
        {
            throw Error("setVariable expects a variable name (a non-empty string) first.");
        }

        if (_effects is null)
        {
            throw Error("setVariable cannot be used here: only a node's inputs, a javascript activity and edge conditions can write variables.");
        }

        _effects.SetVariable(name.AsString(), ScriptValues.ToJson(_engine, value));
        if (Root("vars") is ObjectInstance vars)
        {
            vars.Set(name.AsString(), value);
        }

        return JsValue.Undefined;
    }

    private JsValue ParseGuid(JsValue text) =>
        text.IsString() && Guid.TryParse(text.AsString(), out var guid)
            ? guid.ToString()
            : throw Error($"parseGuid: '{(text.IsString() ? text.AsString() : TypeConverter.ToString(text))}' is not a GUID.");

    private JavaScriptException Error(string message) => new(_engine.Intrinsics.TypeError, message);
}
