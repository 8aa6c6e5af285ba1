namespace TaskFlow.Engine.Secrets;

/// <summary>
/// Where <c>{{ secrets.NAME }}</c> comes from (configuration section <c>TaskFlow:Secrets</c>):
/// values in configuration (<c>TaskFlow__Secrets__Values__NAME</c> in the environment, or a
/// configuration provider of your own), and a folder with one file per secret, as Docker and
/// Kubernetes mount them (<c>/run/secrets/NAME</c>). A file wins over a configured value; files
/// are read at every use, so a rotated secret applies at once.
/// </summary>
public sealed class SecretOptions
{
    public const string SectionName = "TaskFlow:Secrets";

    /// <summary>Secrets by name.</summary>
    public Dictionary<string, string> Values { get; set; } = new(StringComparer.Ordinal);

    /// <summary>A folder of files, one per secret, named after it; its contents (trailing newline trimmed) are the value. None by default.</summary>
    public string? Directory { get; set; }
}
