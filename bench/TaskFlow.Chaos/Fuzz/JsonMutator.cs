using System.Text;
using System.Text.Json.Nodes;

namespace TaskFlow.Chaos.Fuzz;

/// <summary>
/// Seeded generation of hostile JSON: random documents, and valid documents changed in one to
/// three places (a member removed, renamed or retyped, an element duplicated, the text cut or
/// corrupted). The same seed gives the same cases.
/// </summary>
public sealed class JsonMutator(Random random)
{
    private static readonly string[] Words = ["id", "type", "nodes", "edges", "from", "to", "inputs", "condition", "mode", "items", "root", "activities", "connections", "source", "target", "{{ input.x }}", "{{", "}}", "", " ", "\u0000", "é", "😀", "../..", "null", "-1", "1e309", "NaN"];

    private const string Punctuation = "{}[],:\"\\x\u0001";

    public Random Random => random;

    /// <summary>A random JSON value up to <paramref name="depth"/> levels deep.</summary>
    public JsonNode? RandomValue(int depth = 3)
    {
        switch (random.Next(depth <= 0 ? 6 : 8))
        {
            case 0: return null;
            case 1: return JsonValue.Create(random.Next(2) == 0);
            case 2: return JsonValue.Create(random.Next(6) switch { 0 => 0, 1 => -1, 2 => int.MaxValue, 3 => long.MinValue, 4 => random.NextDouble() * 1e300, _ => random.Next(-1000, 1000) });
            case 3: return JsonValue.Create(RandomString());
            case 4: return JsonValue.Create(Words[random.Next(Words.Length)]);
            case 5: return JsonValue.Create(new string('x', random.Next(2) == 0 ? 10_000 : 200));
            case 6:
                var array = new JsonArray();
                for (var i = random.Next(4); i > 0; i--)
                {
                    array.Add(RandomValue(depth - 1));
                }

                return array;
            default:
                var obj = new JsonObject();
                for (var i = random.Next(5); i > 0; i--)
                {
                    obj[Words[random.Next(Words.Length)] + (random.Next(3) == 0 ? random.Next(9).ToString(System.Globalization.CultureInfo.InvariantCulture) : "")] = RandomValue(depth - 1);
                }

                return obj;
        }
    }

    /// <summary>A random document: mostly objects, sometimes anything, sometimes not JSON at all.</summary>
    public string RandomDocument() => random.Next(10) switch
    {
        0 => RandomString(),
        1 => new string('[', random.Next(1, 5000)),
        _ => RandomValue(5)?.ToJsonString() ?? "null",
    };

    /// <summary><paramref name="seed"/> (a JSON document) changed in one to three places.</summary>
    public string Mutate(string seed)
    {
        if (random.Next(8) == 0)
        {
            return MutateText(seed);
        }

        var root = JsonNode.Parse(seed);
        for (var n = random.Next(1, 4); n > 0 && root is not null; n--)
        {
            var containers = new List<JsonNode>();
            Collect(root, containers);
            var target = containers[random.Next(containers.Count)];
            if (target is JsonObject obj && obj.Count > 0)
            {
                var key = obj.ElementAt(random.Next(obj.Count)).Key;
                switch (random.Next(4))
                {
                    case 0: obj.Remove(key); break;
                    case 1: obj[key] = RandomValue(); break;
                    case 2:
                        var value = obj[key]?.DeepClone();
                        obj.Remove(key);
                        obj[Words[random.Next(Words.Length)]] = value;
                        break;
                    default: obj[key] = JsonValue.Create(Words[random.Next(Words.Length)]); break;
                }
            }
            else if (target is JsonArray array && array.Count > 0)
            {
                var index = random.Next(array.Count);
                switch (random.Next(4))
                {
                    case 0: array.RemoveAt(index); break;
                    case 1: array.Add(array[index]?.DeepClone()); break;
                    case 2: array[index] = RandomValue(); break;
                    default: array.Insert(0, RandomValue()); break;
                }
            }
        }

        return root?.ToJsonString() ?? "null";
    }

    private string MutateText(string text)
    {
        var builder = new StringBuilder(text);
        switch (random.Next(3))
        {
            case 0: builder.Length = random.Next(text.Length); break;
            case 1: builder.Insert(random.Next(builder.Length + 1), Punctuation[random.Next(Punctuation.Length)]); break;
            default:
                if (builder.Length > 0)
                {
                    builder.Remove(random.Next(builder.Length), 1);
                }

                break;
        }

        return builder.ToString();
    }

    private string RandomString()
    {
        var chars = new char[random.Next(0, 40)];
        for (var i = 0; i < chars.Length; i++)
        {
            // Any character but a lone surrogate: those cannot arrive as UTF-8 (a file, an HTTP
            // body), so they test only the fuzzer's own strings.
            var c = (char)random.Next(random.Next(4) == 0 ? 0xFFFF : 0x80);
            chars[i] = char.IsSurrogate(c) ? '\uFFFD' : c;
        }

        return new string(chars);
    }

    private static void Collect(JsonNode node, List<JsonNode> into)
    {
        into.Add(node);
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, child) in obj)
                {
                    if (child is JsonObject or JsonArray)
                    {
                        Collect(child, into);
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array)
                {
                    if (child is JsonObject or JsonArray)
                    {
                        Collect(child, into);
                    }
                }

                break;
        }
    }
}
