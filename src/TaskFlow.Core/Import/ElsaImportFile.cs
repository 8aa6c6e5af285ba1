namespace TaskFlow.Core.Import;

/// <summary>One Elsa workflow document of a set: its name (a file name, or <c>[3]</c> for an array item) and its JSON text.</summary>
public sealed record ElsaImportFile(string Name, string Json);
