using System.Diagnostics;
using System.Runtime;

namespace TaskFlow.Bench.Fleet;

/// <summary>The lines every mode starts with: machine, runtime, date, load.</summary>
internal static class MachineInfo
{
    public static void Print()
    {
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores ({CpuModel()}), {MemoryTotal()} RAM, kernel {Read("/proc/sys/kernel/osrelease")}, .NET {Environment.Version}, {(GCSettings.IsServerGC ? "server" : "workstation")} GC, node {NodeVersion()}");
        Console.WriteLine($"date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; load average {LoadAverage()}");
    }

    // Other work on the machine moves the figures; the load average says whether there was any.
    public static string LoadAverage() => string.Join(" ", Read("/proc/loadavg").Split(' ').Take(3));

    public static string Mib(long bytes) => $"{bytes / (1024.0 * 1024):0} MiB";

    private static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";

    private static string MemoryTotal() =>
        File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal)) is { } line
            ? $"{long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / (1024.0 * 1024):0.0} GiB"
            : "unknown";

    private static string Read(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    private static string NodeVersion()
    {
        try
        {
            using var node = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true, UseShellExecute = false });
            var version = node?.StandardOutput.ReadToEnd().Trim();
            node?.WaitForExit();
            return version ?? "not found";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "not found";
        }
    }
}
