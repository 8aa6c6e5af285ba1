using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TaskFlow.Core.Validation;

namespace TaskFlow.Engine.Decomposition;

internal static class TaskDecompositionServiceCollectionExtensions
{
    /// <summary>Section <c>TaskFlow:Decomposition</c>, its template, and the service; a wrong template or a limit above the engine's stops the start.</summary>
    public static IServiceCollection AddTaskDecomposition(this IServiceCollection services)
    {
        services.AddOptions<TaskDecompositionOptions>().BindConfiguration(TaskDecompositionOptions.SectionName)
            .PostConfigure(ApplyTemplate)
            .ValidateDataAnnotations()
            .Validate<WorkflowLimits>(
                (o, engine) => (o.MaxSubtasks ?? 0) <= engine.MaxSubtasks && (o.MaxDepth ?? 0) <= engine.MaxDepth && (o.MaxComplexity ?? 0) <= engine.MaxComplexity,
                "TaskFlow:Decomposition limits (max_subtasks, max_depth, maxComplexity) may not be above the engine's TaskFlow:Engine:Limits (MaxSubtasks, MaxDepth, MaxComplexity), which every generated definition must pass.")
            .ValidateOnStart();
        services.TryAddSingleton<TaskDecompositionService>();
        return services;
    }

    private static void ApplyTemplate(TaskDecompositionOptions options)
    {
        if (options.TemplateFile is not { Length: > 0 } file)
        {
            return;
        }

        var problems = File.Exists(file)
            ? TaskDecompositionTemplate.Apply(File.ReadAllText(file), options)
            : [$"the file does not exist (full path {Path.GetFullPath(file)})"];
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(TaskDecompositionOptions.SectionName, typeof(TaskDecompositionOptions),
                problems.Select(p => $"TaskFlow:Decomposition:TemplateFile '{file}': {p}."));
        }
    }
}
