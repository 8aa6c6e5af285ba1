using System.Security.Cryptography;
using System.Text;

namespace TaskFlow.Routing.Gateway;

/// <summary>
/// Forms the names the gateway lists: a namespace (a server's name or a rule's), the separator and
/// the tool's own name, with every character outside <c>[A-Za-z0-9_-]</c> replaced by <c>_</c> (a
/// dot is kept only when the separator itself is a dot). Names that would come out the same for two
/// tools, or longer than the limit, end in <c>_</c> and eight hex digits of a hash of the tool's full
/// identity, so a name stays the same from one listing to the next.
/// </summary>
internal static class GatewayToolNames
{
    private const int HashLength = 8;

    /// <summary>One name per tool, in the order given.</summary>
    public static string[] Assign(IReadOnlyList<(string? Namespace, string Tool)> tools, McpGatewayOptions options)
    {
        var keepDots = options.Separator.Contains('.', StringComparison.Ordinal);
        var names = new string[tools.Count];
        for (var i = 0; i < tools.Count; i++)
        {
            var (ns, tool) = tools[i];
            names[i] = ns is null ? Clean(tool, keepDots) : Clean(ns, keepDots) + options.Separator + Clean(tool, keepDots);
        }

        var counts = names.CountBy(n => n, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal);
        for (var i = 0; i < names.Length; i++)
        {
            if (counts[names[i]] > 1 || names[i].Length > options.MaxNameLength || names[i].Length == 0)
            {
                names[i] = WithHash(names[i], Identity(tools[i]), options.MaxNameLength);
            }
        }

        return names;
    }

    /// <summary>Whether <paramref name="name"/> fits the rule most clients apply: <c>^[a-zA-Z0-9_-]{1,64}$</c>.</summary>
    public static bool IsPortable(string name) =>
        name.Length is >= 1 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    private static string Clean(string text, bool keepDots)
    {
        var clean = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            clean.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' || (keepDots && c == '.') ? c : '_');
        }

        return clean.ToString();
    }

    private static string Identity((string? Namespace, string Tool) tool) => tool.Namespace is null ? tool.Tool : tool.Namespace + "\0" + tool.Tool;

    private static string WithHash(string name, string identity, int maxLength)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(identity)))[..HashLength];
        var keep = Math.Min(name.Length, maxLength - HashLength - 1);
        return keep > 0 ? $"{name[..keep]}_{hash}" : hash;
    }
}
