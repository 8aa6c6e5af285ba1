using Jint;
using Jint.Native;
using Jint.Native.Object;
using Jint.Runtime.Descriptors;
using Jint.Runtime.Interop;

namespace TaskFlow.Core.Scripting;

// Freezes every object reachable from the global object (Object.prototype, Array.prototype, Math,
// JSON, the API functions, ...), so a script cannot change a built-in that the next script on the
// same engine would use. The global object itself stays open: its properties are restored from a
// snapshot after each evaluation.
//
// Freezing Object.prototype would make `obj.toString = ...` silently fail (the "override mistake");
// the common members that scripts override on their own objects are therefore accessors whose
// setter defines the property on the object assigned to, as hardened JavaScript runtimes do.
internal static class IntrinsicsFreezer
{
    private static readonly string[] ObjectOverrides = ["toString", "valueOf", "toLocaleString", "constructor", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable"];
    private static readonly string[] ErrorOverrides = ["name", "message", "toString"];

    public static void Freeze(Engine engine)
    {
        EnableOverrides(engine, engine.Intrinsics.Object.PrototypeObject, ObjectOverrides);
        EnableOverrides(engine, (ObjectInstance)engine.Intrinsics.Error.Get("prototype"), ErrorOverrides);

        var seen = new HashSet<ObjectInstance>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<ObjectInstance>();
        foreach (var key in engine.Global.GetOwnPropertyKeys())
        {
            Push(engine.Global.GetOwnProperty(key), pending);
        }

        while (pending.Count > 0)
        {
            var target = pending.Pop();
            if (ReferenceEquals(target, engine.Global) || !seen.Add(target))
            {
                continue;
            }

            foreach (var key in target.GetOwnPropertyKeys())
            {
                Push(target.GetOwnProperty(key), pending);
            }

            if (target.Prototype is { } prototype)
            {
                pending.Push(prototype);
            }

            FreezeOne(target);
        }
    }

    private static void Push(PropertyDescriptor descriptor, Stack<ObjectInstance> pending)
    {
        if (descriptor == PropertyDescriptor.Undefined)
        {
            return;
        }

        foreach (var value in new[] { descriptor.IsAccessorDescriptor() ? null : descriptor.Value, descriptor.Get, descriptor.Set })
        {
            if (value is ObjectInstance obj)
            {
                pending.Push(obj);
            }
        }
    }

    // Object.freeze: no new properties, every property non-configurable and data properties read-only.
    private static void FreezeOne(ObjectInstance target)
    {
        target.PreventExtensions();
        foreach (var key in target.GetOwnPropertyKeys())
        {
            var current = target.GetOwnProperty(key);
            if (current == PropertyDescriptor.Undefined)
            {
                continue;
            }

            var frozen = current.IsAccessorDescriptor()
                ? new GetSetPropertyDescriptor(current.Get, current.Set, current.Enumerable, configurable: false)
                : new PropertyDescriptor(current.Value, writable: false, enumerable: current.Enumerable, configurable: false);
            target.DefineOwnProperty(key, frozen);
        }
    }

    private static void EnableOverrides(Engine engine, ObjectInstance prototype, string[] names)
    {
        foreach (var name in names)
        {
            var current = prototype.GetOwnProperty(name);
            if (current == PropertyDescriptor.Undefined || current.IsAccessorDescriptor())
            {
                continue;
            }

            var value = current.Value;
            var getter = new ClrFunction(engine, "get " + name, (_, _) => value);
            var setter = new ClrFunction(engine, "set " + name, (self, arguments) =>
            {
                if (self is ObjectInstance obj && !ReferenceEquals(obj, prototype))
                {
                    obj.DefineOwnProperty(name, new PropertyDescriptor(arguments.Length > 0 ? arguments[0] : JsValue.Undefined, writable: true, enumerable: true, configurable: true));
                }

                return JsValue.Undefined;
            });
            prototype.DefineOwnProperty(name, new GetSetPropertyDescriptor(getter, setter, enumerable: current.Enumerable, configurable: true));
        }
    }
}
