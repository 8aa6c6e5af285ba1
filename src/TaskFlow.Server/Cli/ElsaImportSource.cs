using Microsoft.Extensions.DependencyInjection;
using TaskFlow.Core.Activities;
using TaskFlow.Core.Import;
using TaskFlow.Engine.Activities;
using TaskFlow.Engine.Hosting;

namespace TaskFlow.Server.Cli;

/// <summary>What <c>taskflow import-elsa</c> reads and how it reports a set's conversion.</summary>
internal static class ElsaImportSource
{
    /// <summary>The documents of a folder, a zip, a JSON array or a single file; null when the path is none of these.</summary>
    public static async Task<List<ElsaImportFile>?> ReadAsync(FileSystemInfo path, CancellationToken cancellationToken)
    {
        if (path is DirectoryInfo directory || Directory.Exists(path.FullName))
        {
            return ElsaImportFiles.FromDirectory(path.FullName);
        }

        if (!File.Exists(path.FullName))
        {
            return null;
        }

        if (path.Extension.Equals(".zip", StringComparison.OrdinalIgnoreCase))
        {
            await using var zip = File.OpenRead(path.FullName);
            return ElsaImportFiles.FromZip(zip, 256L << 20);
        }

        var json = await File.ReadAllTextAsync(path.FullName, cancellationToken);
        return ElsaImportFiles.IsArray(json) ? ElsaImportFiles.FromArray(json) : [new ElsaImportFile(path.Name, json)];
    }

    /// <summary>Writes every problem (and note) to stderr; false when a document cannot be converted.</summary>
    public static async Task<bool> ReportAsync(ElsaSetImportResult set)
    {
        foreach (var item in set.Items)
        {
            foreach (var problem in item.Result.Problems)
            {
                await Console.Error.WriteLineAsync($"{item.Name}: {problem}");
            }

            foreach (var note in item.Result.Notes)
            {
                await Console.Error.WriteLineAsync($"note: {item.Name}: {note}");
            }
        }

        var failed = set.Items.Count(i => !i.Result.Succeeded);
        if (failed > 0 || set.Items.Count == 0)
        {
            await Console.Error.WriteLineAsync(set.Items.Count == 0
                ? "There is nothing to import: no Elsa workflow definitions were found; nothing was stored."
                : $"{failed} of {set.Items.Count} workflow{(set.Items.Count == 1 ? "" : "s")} cannot be imported; nothing was stored.");
            return false;
        }

        return true;
    }

    /// <summary>The activities a server registers, described without starting one (no database is opened).</summary>
    public static Dictionary<string, ActivityDescriptor> Catalog()
    {
        var services = new ServiceCollection();
        services.AddTaskFlowEngine(_ => { });
        return services.Where(d => d.ServiceType == typeof(ActivityRegistration)).Select(d => ((ActivityRegistration)d.ImplementationInstance!).Descriptor)
            .ToDictionary(d => d.Type, StringComparer.Ordinal);
    }
}
