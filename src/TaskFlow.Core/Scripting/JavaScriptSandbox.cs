using System.Globalization;
using System.Text.Json.Nodes;
using Jint;
using Jint.Native;
using Jint.Runtime;
using TaskFlow.Core.Templates;

namespace TaskFlow.Core.Scripting;

// One Jint engine locked down for scripts from workflow definitions: no CLR access (no
// importNamespace, no System), no eval or new Function, no Atomics or SharedArrayBuffer (whose
// wait blocks outside every limit), every built-in object frozen so one
// script cannot change what the next one sees, and limits on statements, call depth, time,
// memory and array length that Jint checks during each evaluation. Between evaluations the
// global object is restored to the snapshot taken after setup.
internal sealed partial class JavaScriptSandbox
{
    private readonly Engine _engine;
    private readonly JavaScriptOptions _options;
    private readonly GlobalSnapshot _snapshot;
    private readonly Dictionary<string, JsValue> _roots = new(StringComparer.Ordinal);
    private JsonObject? _scope;
    private ScriptEffects? _effects;

    public JavaScriptSandbox(JavaScriptOptions options)
    {
        _options = options;
        _engine = new Engine(o =>
        {
            o.LimitMemory(options.MemoryLimitBytes);
            o.TimeoutInterval(options.Timeout);
            o.MaxStatements(options.MaxStatements);
            o.LimitRecursion(options.MaxRecursionDepth);
            o.Constraints.StackOverflowGuard = true;
            o.Constraints.MaxArraySize = (uint)options.MaxArrayLength;
            o.Constraints.RegexTimeout = options.Timeout;
            o.Constraints.PromiseTimeout = options.Timeout;
            o.DisableStringCompilation();
            o.TimeZone = TimeZoneInfo.Utc;
            o.Culture = CultureInfo.InvariantCulture;
        });

        // Atomics.wait blocks the evaluating thread without running a statement, so no limit
        // (statements, time) ever sees it: a script could hold a worker's thread for good. A
        // workflow's script has no other thread to share memory with, so both go.
        _engine.Execute("delete globalThis.Atomics; delete globalThis.SharedArrayBuffer;");
        InstallApi();
        IntrinsicsFreezer.Freeze(_engine);
        _snapshot = _engine.Advanced.CaptureGlobalSnapshot();
    }

    /// <summary>Evaluates; <paramref name="reusable"/> says whether the engine came back to its clean state.</summary>
    public T Evaluate<T>(JavaScriptExpression expression, JsonObject scope, ScriptEffects? effects, Func<Engine, JsValue, T> convert, out bool reusable)
    {
        _scope = scope;
        _effects = effects;
        reusable = false;
        var clean = false;
        try
        {
            foreach (var name in expression.Globals)
            {
                if (IsRoot(name))
                {
                    _engine.SetValue(name, Root(name));
                }
            }

            DefineVariableAccessors(expression);
            // An async script's value is what its promise settles to (jobs run on this thread).
            var value = _engine.Evaluate(expression.Prepared).UnwrapIfPromise(_options.Timeout);
            if (_effects is not null && (expression.Globals.Contains("variables") || expression.Globals.Contains("vars")))
            {
                RecordAssignedVariables();
            }

            var result = convert(_engine, value);
            clean = true;
            return result;
        }
        catch (JavaScriptException ex)
        {
            clean = true;
            throw new TemplateEvaluationException(expression.Source, Describe(ex));
        }
        catch (StatementsCountOverflowException)
        {
            clean = true;
            throw new TemplateEvaluationException(expression.Source, $"the script ran more than {_options.MaxStatements} statements (an endless loop?)");
        }
        catch (RecursionDepthOverflowException)
        {
            clean = true;
            throw new TemplateEvaluationException(expression.Source, $"calls nested more than {_options.MaxRecursionDepth} deep (endless recursion?)");
        }
        catch (MemoryLimitExceededException ex)
        {
            clean = true;
            throw new TemplateEvaluationException(expression.Source, $"the script went over its memory limit of {_options.MemoryLimitBytes} bytes ({ex.Message})");
        }
        catch (TimeoutException)
        {
            clean = true;
            throw new TemplateEvaluationException(expression.Source, $"the script ran longer than {_options.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s");
        }
        catch (PromiseRejectedException ex)
        {
            clean = true;
            throw new TemplateEvaluationException(expression.Source, $"the script's promise was rejected: {ex.RejectedValue}");
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not TemplateEvaluationException)
        {
            // Anything else comes from the engine itself; the engine is not reused.
            throw new TemplateEvaluationException(expression.Source, $"{ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            _scope = null;
            _effects = null;
            _roots.Clear();
            if (clean)
            {
                reusable = Restore();
            }
        }
    }

    private bool Restore()
    {
        try
        {
            _engine.Advanced.RestoreGlobalSnapshot(_snapshot);
            return true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or JavaScriptException)
        {
            return false;
        }
    }

    private static bool IsRoot(string name) => name is "input" or "vars" or "variables" or "nodes" or "item" or "index" or "instance" or "attempt" or "output" or "secrets";

    // A scope root as a JavaScript value, converted from JSON at most once per evaluation and
    // shared by the global and the API functions (so setVariable is seen by variables.x).
    private JsValue Root(string name)
    {
        var key = name == "variables" ? "vars" : name;
        if (_roots.TryGetValue(key, out var value))
        {
            return value;
        }

        if (_scope is null || !_scope.TryGetPropertyValue(key, out var node))
        {
            value = key == "vars" ? new JsObject(_engine) : JsValue.Undefined;
        }
        else
        {
            value = ScriptValues.ToJs(_engine, node);
        }

        _roots[key] = value;
        return value;
    }

    private static string Describe(JavaScriptException ex)
    {
        var name = ex.Error is Jint.Native.Object.ObjectInstance error && error.Get("name") is { } n && n.IsString() ? n.AsString() : "Uncaught";
        var start = ex.Location.Start;
        var where = start.Line > 0 ? $" (line {start.Line}, column {start.Column + 1})" : "";
        return $"{name}: {ex.Message}{where}";
    }
}
