using System.Globalization;
using System.Text.Json;

namespace TaskFlow.Core.Templates.Json;

// Paths for messages: inputs.url, items[2], headers["x y"]; $ for the root.
internal static class JsonPathText
{
    public const string Root = "$";

    public static string Property(string parent, string name)
    {
        if (!IsPlain(name))
        {
            return $"{Display(parent)}[{JsonSerializer.Serialize(name)}]";
        }

        return parent.Length == 0 ? name : $"{parent}.{name}";
    }

    public static string Index(string parent, int index) =>
        $"{Display(parent)}[{index.ToString(CultureInfo.InvariantCulture)}]";

    public static string Display(string path) => path.Length == 0 ? Root : path;

    // Node ids and input names use letters, digits, '_' and '-'; anything else is quoted.
    private static bool IsPlain(string name) =>
        name.Length > 0 && name.AsSpan().IndexOfAnyExcept(PlainCharacters) < 0;

    private static readonly System.Buffers.SearchValues<char> PlainCharacters =
        System.Buffers.SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");
}
