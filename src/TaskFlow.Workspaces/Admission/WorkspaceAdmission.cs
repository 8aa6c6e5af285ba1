namespace TaskFlow.Workspaces.Admission;

/// <summary>
/// What may be created: the isolation mode (<c>auto</c> resolved, only the modes offered here),
/// the limits (never above the configured ones, never lowered without saying so) and a slot of
/// <see cref="WorkspaceOptions.MaxWorkspaces"/> (waited for or refused, per <see cref="WorkspaceOptions.WhenFull"/>).
/// </summary>
internal sealed class WorkspaceAdmission(WorkspaceOptions options, IReadOnlyDictionary<IsolationMode, IWorkspaceProvider> providers) : IDisposable
{
    private readonly SemaphoreSlim _slots = new(options.MaxWorkspaces, options.MaxWorkspaces);

    /// <summary>The mode a request gets and its provider: <c>auto</c> resolved on this host, a mode not offered refused.</summary>
    public async Task<(IsolationMode Mode, IWorkspaceProvider Provider)> ChooseAsync(IsolationMode? requested, CancellationToken cancellationToken)
    {
        var isolation = requested ?? options.DefaultIsolation;
        if (isolation == IsolationMode.Auto)
        {
            isolation = await ChooseAutoAsync(cancellationToken);
        }

        if (options.AllowedIsolation is { Count: > 0 } allowed && !allowed.Contains(isolation))
        {
            throw new WorkspaceException($"Isolation mode '{Name(isolation)}' is not offered here; use {string.Join(", ", allowed.Select(Name))}.");
        }

        return providers.TryGetValue(isolation, out var provider)
            ? (isolation, provider)
            : throw new WorkspaceUnavailableException(isolation, "no provider for it is configured");
    }

    /// <summary>The limits a request gets: the configured ones when it asks for none; refused with every reason when it asks for more.</summary>
    public WorkspaceLimits CheckLimits(WorkspaceLimits? requested)
    {
        var max = options.Limits;
        if (requested is null)
        {
            return max;
        }

        var problems = new List<string>();
        if (requested.MemoryBytes <= 0 || requested.MemoryBytes > max.MemoryBytes)
        {
            problems.Add($"memory {requested.MemoryBytes} bytes is not between 1 and the configured {max.MemoryBytes}");
        }

        if (requested.Cpus <= 0 || requested.Cpus > max.Cpus)
        {
            problems.Add($"cpus {requested.Cpus} is not above 0 and at most the configured {max.Cpus}");
        }

        if (requested.Pids <= 0 || requested.Pids > max.Pids)
        {
            problems.Add($"pids {requested.Pids} is not between 1 and the configured {max.Pids}");
        }

        if (requested.DiskBytes <= 0 || requested.DiskBytes > max.DiskBytes)
        {
            problems.Add($"disk {requested.DiskBytes} bytes is not between 1 and the configured {max.DiskBytes}");
        }

        if (requested.Network && !options.AllowNetwork)
        {
            problems.Add("network is not allowed (TaskFlow:Workspaces:AllowNetwork is false)");
        }

        return problems.Count == 0 ? requested : throw new WorkspaceException($"The workspace limits are refused: {string.Join("; ", problems)}.");
    }

    /// <summary>Takes a slot, waiting up to <see cref="WorkspaceOptions.QueueTimeout"/> or refusing at once.</summary>
    public async Task TakeSlotAsync(CancellationToken cancellationToken)
    {
        if (_slots.Wait(0, CancellationToken.None))
        {
            return;
        }

        if (options.WhenFull == WhenFull.FailFast)
        {
            throw new WorkspaceException($"All {options.MaxWorkspaces} workspaces are in use (TaskFlow:Workspaces:MaxWorkspaces); destroy one or try again later.");
        }

        if (!await _slots.WaitAsync(options.QueueTimeout, cancellationToken))
        {
            throw new WorkspaceException($"No workspace became free within {options.QueueTimeout.TotalSeconds:0} s: all {options.MaxWorkspaces} are in use (TaskFlow:Workspaces:MaxWorkspaces).");
        }
    }

    /// <summary>A workspace still active from a previous process takes its slot, even beyond the maximum (then no slot is free until enough go).</summary>
    public void HoldSlotOfLoaded() => _slots.Wait(0, CancellationToken.None);

    public void ReleaseSlot() => _slots.Release();

    public void Dispose() => _slots.Dispose();

    private static string Name(IsolationMode mode) => mode.ToString().ToLowerInvariant();

    /// <summary>
    /// <c>auto</c>: a container when an engine answers, else the sandbox, else an error naming why
    /// neither can run. Modes the host does not offer are not considered.
    /// </summary>
    private async Task<IsolationMode> ChooseAutoAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        foreach (var mode in (IsolationMode[])[IsolationMode.Container, IsolationMode.Process])
        {
            if (options.AllowedIsolation is { Count: > 0 } allowed && !allowed.Contains(mode))
            {
                problems.Add($"{Name(mode)}: not offered here");
            }
            else if (!providers.TryGetValue(mode, out var provider))
            {
                problems.Add($"{Name(mode)}: no provider for it is configured");
            }
            else if (await provider.CheckAvailableAsync(cancellationToken) is { } problem)
            {
                problems.Add($"{Name(mode)}: {problem}");
            }
            else
            {
                return mode;
            }
        }

        throw new WorkspaceException($"Isolation mode 'auto' found no way to run a workspace on this host ({string.Join("; ", problems)}).");
    }
}
