using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TaskFlow.Engine.Hosting;
using TaskFlow.Engine.Jobs;
using TaskFlow.Workspaces.Container;
using TaskFlow.Workspaces.Cleanup;
using TaskFlow.Workspaces.Mcp;
using TaskFlow.Workspaces.Process;
using TaskFlow.Workspaces.Vm;

namespace TaskFlow.Workspaces.Hosting;

public static class WorkspacesServiceCollectionExtensions
{
    /// <summary>
    /// Adds isolated workspaces (section <c>TaskFlow:Workspaces</c>): the providers, the manager,
    /// the <c>exec</c> activity, the lazy and scheduled cleanup jobs, and reclaiming at start.
    /// </summary>
    public static TaskFlowEngineBuilder AddWorkspaces(this TaskFlowEngineBuilder builder)
    {
        builder.Services.AddWorkspacesCore();
        builder.Services.TryAddSingleton<IWorkspaceOwnerStatus, EngineWorkspaceOwnerStatus>();
        builder.Services.AddSingleton<IRecurringJobRegistration, WorkspaceCleanupRegistration>();
        builder.AddActivity<ExecActivity>();
        return builder;
    }

    /// <summary>The workspaces without the engine (for <c>taskflow mcp workspace-isolation</c>).</summary>
    public static IServiceCollection AddWorkspacesCore(this IServiceCollection services)
    {
        services.AddOptions<WorkspaceOptions>().BindConfiguration(WorkspaceOptions.SectionName)
            .PostConfigure(ApplyTemplate)
            .ValidateDataAnnotations().ValidateOnStart();
        // Sandboxes are marked with the installation's scope (unless configured). Whether any
        // workspace may have a network is TaskFlow:Workspaces:AllowNetwork's to say, for every mode.
        services.AddOptions<ContainerWorkspaceOptions>().BindConfiguration(ContainerWorkspaceOptions.SectionName)
            .PostConfigure<WorkspaceRoot, IOptions<WorkspaceOptions>>((o, root, workspaces) => (o.Scope, o.AllowNetwork) = (o.Scope ?? root.Scope, workspaces.Value.AllowNetwork));
        services.AddOptions<ProcessWorkspaceOptions>().BindConfiguration(ProcessWorkspaceOptions.SectionName)
            .PostConfigure<IConfiguration, WorkspaceRoot, IOptions<WorkspaceOptions>>((o, configuration, root, workspaces) =>
            {
                if (configuration[$"{ProcessWorkspaceOptions.SectionName}:{nameof(ProcessWorkspaceOptions.CgroupParent)}"] is null)
                {
                    o.CgroupParent = $"taskflow-{root.Scope}";
                }

                o.AllowNetwork = workspaces.Value.AllowNetwork;
            });
        services.AddOptions<VmWorkspaceOptions>().BindConfiguration(VmWorkspaceOptions.SectionName);
        services.AddOptions<TaskFlowEngineOptions>().BindConfiguration(TaskFlowEngineOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider =>
        {
            var engine = provider.GetRequiredService<IOptions<TaskFlowEngineOptions>>().Value;
            var root = (provider.GetRequiredService<IOptions<WorkspaceOptions>>().Value.Root ?? "workspaces")
                .Replace("{machine}", Environment.MachineName, StringComparison.Ordinal);
            return new WorkspaceRoot(Path.GetFullPath(Path.Combine(engine.DataDirectory, root)));
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IWorkspaceProvider, ContainerWorkspaceProvider>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IWorkspaceProvider, ProcessWorkspaceProvider>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IWorkspaceProvider, VmWorkspaceProvider>());
        services.TryAddSingleton<WorkspaceManager>();
        services.TryAddSingleton<WorkspaceIsolationTools>();

        // Stdio MCP servers of the fleet with a workspace policy run in a workspace of their own.
        services.TryAddSingleton<TaskFlow.Routing.Upstreams.IUpstreamSandbox, WorkspaceUpstreamSandbox>();
        if (!services.Any(d => d.ImplementationType == typeof(WorkspaceStartup)))
        {
            services.AddHostedService<WorkspaceStartup>();
        }

        return services;
    }

    /// <summary>Reads the report's template when one is named; a missing or wrong one stops the start with every problem listed.</summary>
    private static void ApplyTemplate(WorkspaceOptions options)
    {
        if (options.TemplateFile is not { Length: > 0 } file)
        {
            return;
        }

        var problems = File.Exists(file)
            ? WorkspaceIsolationTemplate.Apply(File.ReadAllText(file), options)
            : [$"the file {Path.GetFullPath(file)} does not exist"];
        if (problems.Count > 0)
        {
            throw new OptionsValidationException(WorkspaceOptions.SectionName, typeof(WorkspaceOptions), [.. problems.Select(p => $"{WorkspaceOptions.SectionName}:TemplateFile: {p}.")]);
        }
    }
}
