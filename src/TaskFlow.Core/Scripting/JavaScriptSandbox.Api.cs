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
        Define("toJson", 1, (_, a) => new JsonSerializer(_engine).Serialize(Arg(a, 0)));
        Define("parseJson", 1, (_, a) => Arg(a, 0) is var text && text.IsString() ? new JsonParser(_engine).Parse(text.AsString()) : throw Error("parseJson expects a string."));
    }

    private void Define(string name, int length, Func<JsValue, JsValue[], JsValue> body) =>
        _engine.SetValue(name, new ClrFunction(_engine, name, body, length));

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
