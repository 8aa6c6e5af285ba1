using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TaskFlow.Core.Import;

/// <summary>The documents of a set to import: the items of a JSON array, the .json files of a zip or of a folder.</summary>
public static class ElsaImportFiles
{
    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true, MaxDepth = 256 };

    /// <summary>Whether <paramref name="json"/> is a JSON array (of definitions), by its first significant character.</summary>
    public static bool IsArray(string json) => json.TrimStart('\uFEFF', ' ', '\t', '\r', '\n').StartsWith('[');

    /// <summary>
    /// The items of a JSON array of Elsa definitions, each named <c>[index]</c>. An item that is not an
    /// object is kept, so that its conversion says what is wrong with it.
    /// </summary>
    /// <exception cref="JsonException">The text is not valid JSON.</exception>
    public static List<ElsaImportFile> FromArray(string json)
    {
        var array = JsonNode.Parse(json.TrimStart('\uFEFF'), documentOptions: Options) as JsonArray
            ?? throw new JsonException("The document is not a JSON array of Elsa workflow definitions.");
        return array.Select((item, i) => new ElsaImportFile($"[{i}]", item?.ToJsonString() ?? "null")).ToList();
    }

    /// <summary>The .json files of a zip archive (in any folder), named by their path in the archive.</summary>
    /// <exception cref="InvalidDataException">The stream is not a zip archive.</exception>
    public static List<ElsaImportFile> FromZip(Stream zip, long maxBytes)
    {
        using var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
        var files = new List<ElsaImportFile>();
        long total = 0;
        foreach (var entry in archive.Entries.Where(IsWorkflowFile).OrderBy(e => e.FullName, StringComparer.Ordinal))
        {
            // The uncompressed size decides, so that a small archive cannot expand into an unbounded import.
            total += entry.Length;
            if (total > maxBytes)
            {
                throw new InvalidDataException($"The zip archive's .json files hold more than {maxBytes} bytes uncompressed, the limit of one import.");
            }

            using var reader = new StreamReader(entry.Open(), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            files.Add(new ElsaImportFile(entry.FullName, reader.ReadToEnd()));
        }

        return files;
    }

    /// <summary>The .json files of a folder and its subfolders, named by their path below it.</summary>
    public static List<ElsaImportFile> FromDirectory(string directory) =>
        Directory.EnumerateFiles(directory, "*.json", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(f => new ElsaImportFile(Path.GetRelativePath(directory, f).Replace('\\', '/'), File.ReadAllText(f)))
            .ToList();

    private static bool IsWorkflowFile(ZipArchiveEntry entry) =>
        entry.FullName.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && entry.Name.Length > 0 &&
        !entry.FullName.StartsWith("__MACOSX/", StringComparison.Ordinal) && !entry.Name.StartsWith("._", StringComparison.Ordinal);
}
