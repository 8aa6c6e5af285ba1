using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TaskFlow.Core.Activities;
using TaskFlow.Engine.Activities;

namespace TaskFlow.Engine.Hosting;

/// <summary>Returned by <see cref="TaskFlowEngineServiceCollectionExtensions.AddTaskFlowEngine"/> to register activities.</summary>
public sealed class TaskFlowEngineBuilder(IServiceCollection services)
{
    public IServiceCollection Services { get; } = services;

    /// <summary>Registers an activity whose class carries an <see cref="ActivityAttribute"/>; inputs are described from its <c>Activity&lt;TInputs&gt;</c> type.</summary>
    public TaskFlowEngineBuilder AddActivity<TActivity>()
        where TActivity : class, IActivity => AddActivity<TActivity>(DescriptorOf<TActivity>());

    /// <summary>The descriptor <see cref="AddActivity{TActivity}()"/> registers: from the class's <see cref="ActivityAttribute"/> and its inputs type.</summary>
    public static ActivityDescriptor DescriptorOf<TActivity>()
        where TActivity : class, IActivity
    {
        var attribute = typeof(TActivity).GetCustomAttributes(typeof(ActivityAttribute), false).OfType<ActivityAttribute>().FirstOrDefault()
            ?? throw new InvalidOperationException($"{typeof(TActivity).Name} has no [Activity(\"type\")] attribute; use AddActivity<T>(descriptor) to describe it instead.");
        var inputs = InputsOf(typeof(TActivity));
        var outcomes = new[] { ActivityDescriptor.DefaultOutcome }
            .Concat((attribute.Outcomes ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
        return new ActivityDescriptor(attribute.Type, attribute.Category, attribute.Description, inputs, outcomes) { Pure = attribute.Pure };
    }

    /// <summary>Registers an activity with an explicit descriptor.</summary>
    public TaskFlowEngineBuilder AddActivity<TActivity>(ActivityDescriptor descriptor)
        where TActivity : class, IActivity
    {
        Services.TryAddTransient<TActivity>();
        Services.AddSingleton(new ActivityRegistration(descriptor, typeof(TActivity)));
        return this;
    }

    private static IReadOnlyList<ActivityInputDescriptor> InputsOf(Type activity)
    {
        for (var type = activity; type is not null; type = type.BaseType)
        {
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Activity<>))
            {
                return Activity<object>.DescribeInputs(type.GetGenericArguments()[0]);
            }
        }

        return [];
    }
}
