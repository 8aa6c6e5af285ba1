using System.Text;
using System.Text.RegularExpressions;

namespace TaskFlow.Server.Tests.Deployment;

/// <summary>
/// A .dockerignore file with Docker's matching rules: patterns relative to the context root,
/// <c>*</c> and <c>?</c> within one path segment, <c>**</c> across segments, <c>!</c> for an
/// exception; a pattern that matches a parent folder matches everything in it, and the last
/// pattern that matches decides.
/// </summary>
internal sealed class DockerIgnore(IReadOnlyList<(Regex Pattern, bool Exception)> rules)
{
    public static DockerIgnore Load(string path)
    {
        var rules = new List<(Regex, bool)>();
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var exception = line.StartsWith('!');
            var pattern = (exception ? line[1..] : line).Trim().Trim('/');
            rules.Add((ToRegex(pattern), exception));
        }

        return new DockerIgnore(rules);
    }

    /// <summary>True when the file at <paramref name="relativePath"/> ('/'-separated) stays out of the build context.</summary>
    public bool Excludes(string relativePath)
    {
        var segments = relativePath.Split('/');
        var excluded = false;
        foreach (var (pattern, exception) in rules)
        {
            for (var length = 1; length <= segments.Length; length++)
            {
                if (pattern.IsMatch(string.Join('/', segments[..length])))
                {
                    excluded = !exception;
                    break;
                }
            }
        }

        return excluded;
    }

    private static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*' && i + 1 < pattern.Length && pattern[i + 1] == '*')
            {
                // "**/" matches zero or more folders; a trailing "**" matches anything.
                var slash = i + 2 < pattern.Length && pattern[i + 2] == '/';
                regex.Append(slash ? "(.*/)?" : ".*");
                i += slash ? 2 : 1;
            }
            else
            {
                regex.Append(c switch
                {
                    '*' => "[^/]*",
                    '?' => "[^/]",
                    _ => Regex.Escape(c.ToString()),
                });
            }
        }

        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant);
    }
}
