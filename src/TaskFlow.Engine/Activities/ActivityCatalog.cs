using System.Collections.Frozen;
using TaskFlow.Core.Activities;

namespace TaskFlow.Engine.Activities;

/// <summary>A registered activity: what the catalog shows and which class runs it.</summary>
public sealed record ActivityRegistration(ActivityDescriptor Descriptor, Type Implementation);

/// <summary>The activity types this process can run, with their input schemas (the designer's palette reads this).</summary>
public sealed class ActivityCatalog
{
    private readonly FrozenDictionary<string, ActivityRegistration> _registrations;

    public ActivityCatalog(IEnumerable<ActivityRegistration> registrations)
    {
        var byType = new Dictionary<string, ActivityRegistration>(StringComparer.Ordinal);
        foreach (var registration in registrations)
        {
            // Later registrations win, so an application can replace a built-in.
            byType[registration.Descriptor.Type] = registration;
        }

        _registrations = byType.ToFrozenDictionary(StringComparer.Ordinal);
        Descriptors = _registrations.ToFrozenDictionary(r => r.Key, r => r.Value.Descriptor, StringComparer.Ordinal);
    }

    public IReadOnlyDictionary<string, ActivityDescriptor> Descriptors { get; }

    public bool TryGet(string type, out ActivityRegistration registration) => _registrations.TryGetValue(type, out registration!);
}
