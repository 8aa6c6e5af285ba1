using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Jint;
using Jint.Native;

namespace TaskFlow.Core.Scripting;

// Sandboxed engines kept for reuse: creating and hardening one costs milliseconds, evaluating a
// warm prepared script microseconds. An engine is used by one evaluation at a time and returned
// with its globals restored; one that cannot be restored is dropped.
internal sealed class JavaScriptEnginePool(JavaScriptOptions options)
{
    private readonly ConcurrentBag<JavaScriptSandbox> _idle = [];
    private int _idleCount;

    public JavaScriptOptions Options { get; } = options;

    public T Evaluate<T>(JavaScriptExpression expression, JsonObject scope, ScriptEffects? effects, Func<Engine, JsValue, T> convert)
    {
        var sandbox = Rent();
        var reusable = false;
        try
        {
            var result = sandbox.Evaluate(expression, scope, effects, convert, out reusable);
            return result;
        }
        finally
        {
            if (reusable)
            {
                Return(sandbox);
            }
        }
    }

    private JavaScriptSandbox Rent()
    {
        if (_idle.TryTake(out var sandbox))
        {
            Interlocked.Decrement(ref _idleCount);
            return sandbox;
        }

        return new JavaScriptSandbox(Options);
    }

    private void Return(JavaScriptSandbox sandbox)
    {
        if (Interlocked.Increment(ref _idleCount) <= Options.PoolSize)
        {
            _idle.Add(sandbox);
        }
        else
        {
            Interlocked.Decrement(ref _idleCount);
        }
    }
}
