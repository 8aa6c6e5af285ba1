using System.Text.Json.Nodes;
using Jint;
using Jint.Native.Object;

namespace TaskFlow.Core.Scripting;

// A JSON object seen from JavaScript, converted when a script first touches it: its own members
// become JavaScript values then (nested objects again lazily), so a condition that reads
// vars.amount does not pay for converting fifty other variables and everything below them.
// After that it is an ordinary object: scripts may read, write, enumerate and stringify it.
internal sealed class LazyJsonObject : ObjectInstance
{
    private readonly JsonObject _source;
    private JsonObject? _json;

    public LazyJsonObject(Engine engine, JsonObject json)
        : base(engine)
    {
        _source = json;
        _json = json;
        Prototype = engine.Intrinsics.Object.PrototypeObject;
    }

    /// <summary>True when no script has touched this object and it still stands for <paramref name="original"/>.</summary>
    public bool IsUntouchedViewOf(JsonNode? original) => _json is not null && ReferenceEquals(_source, original);

    protected override void Initialize()
    {
        if (_json is not { } json)
        {
            return;
        }

        _json = null;
        foreach (var (name, value) in json)
        {
            FastSetDataProperty(name, ScriptValues.ToJs(_engine, value));
        }
    }
}
