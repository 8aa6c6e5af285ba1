namespace TaskFlow.Workspaces;

/// <summary>No workspace has the id.</summary>
public sealed class WorkspaceNotFoundException(string id) : WorkspaceException($"No workspace has the id '{id}'.")
{
    public string Id { get; } = id;
}
