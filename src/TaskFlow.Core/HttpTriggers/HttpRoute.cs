using System.Text.RegularExpressions;

namespace TaskFlow.Core.HttpTriggers;

/// <summary>
/// The path of an <c>http</c> trigger, such as <c>orders/{id}</c>: segments that are literal text
/// or a <c>{name}</c> parameter, served under <c>/workflows/</c>. Literal segments match
/// case-insensitively, as ASP.NET Core routes do. Two routes collide when they have the same number
/// of segments and every position is a parameter in both or the same literal: then no request
/// could tell them apart.
/// </summary>
public sealed partial class HttpRoute
{
    [GeneratedRegex("^[A-Za-z0-9._~!$&'()*+,;=:@-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex LiteralPattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex ParameterPattern();

    private readonly string[] _segments;
    private readonly bool[] _isParameter;

    private HttpRoute(string path, string[] segments, bool[] isParameter)
    {
        Path = path;
        _segments = segments;
        _isParameter = isParameter;
    }

    /// <summary>The path as written, without leading or trailing slashes.</summary>
    public string Path { get; }

    /// <summary>The methods a trigger serves when it names none.</summary>
    public static IReadOnlyList<string> DefaultMethods { get; } = ["POST"];

    /// <summary>The methods a trigger may name.</summary>
    public static IReadOnlyList<string> AllowedMethods { get; } = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    /// <summary>Parses a route; the error says what is wrong with it when it does not parse.</summary>
    public static HttpRoute? TryParse(string? path, out string? error)
    {
        error = null;
        var trimmed = (path ?? "").Trim('/');
        if (trimmed.Length == 0)
        {
            error = "it is empty; write a path such as 'orders/{id}' (served at /workflows/orders/{id})";
            return null;
        }

        if (trimmed.Length > 400)
        {
            error = "it is longer than 400 characters";
            return null;
        }

        var parts = trimmed.Split('/');
        var isParameter = new bool[parts.Length];
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < parts.Length; i++)
        {
            var part = parts[i];
            if (part.Length == 0)
            {
                error = $"segment {i + 1} is empty (two slashes in a row)";
                return null;
            }

            if (part.StartsWith('{') || part.EndsWith('}'))
            {
                var name = part.Length >= 2 && part.StartsWith('{') && part.EndsWith('}') ? part[1..^1] : "";
                if (!ParameterPattern().IsMatch(name))
                {
                    error = $"segment '{part}' is not a parameter: write '{{name}}' with a name of letters, digits and '_' (no constraints, defaults or catch-alls)";
                    return null;
                }

                if (!names.Add(name))
                {
                    error = $"parameter '{name}' appears twice";
                    return null;
                }

                parts[i] = name;
                isParameter[i] = true;
            }
            else if (part.Contains('{') || part.Contains('}') || !LiteralPattern().IsMatch(part) || part is "." or "..")
            {
                error = $"segment '{part}' has characters a path segment cannot hold; a parameter takes a whole segment ('{{name}}')";
                return null;
            }
        }

        return new HttpRoute(trimmed, parts, isParameter);
    }

    /// <summary>Whether no request could tell this route from <paramref name="other"/>.</summary>
    public bool CollidesWith(HttpRoute other)
    {
        if (other._segments.Length != _segments.Length)
        {
            return false;
        }

        for (var i = 0; i < _segments.Length; i++)
        {
            if (_isParameter[i] != other._isParameter[i]
                || (!_isParameter[i] && !string.Equals(_segments[i], other._segments[i], StringComparison.OrdinalIgnoreCase)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Matches a request path (below <c>/workflows/</c>, already split and unescaped); the route values, or null.</summary>
    public Dictionary<string, string>? Match(IReadOnlyList<string> segments)
    {
        if (segments.Count != _segments.Length)
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < _segments.Length; i++)
        {
            if (_isParameter[i])
            {
                values[_segments[i]] = segments[i];
            }
            else if (!string.Equals(_segments[i], segments[i], StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
        }

        return values;
    }

    /// <summary>How many literal segments: a route with more wins over one with parameters in their place.</summary>
    public int LiteralCount => _isParameter.Count(p => !p);

    public override string ToString() => Path;
}
