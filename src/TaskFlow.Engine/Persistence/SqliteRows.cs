using System.Buffers;
using System.Text;
using System.Text.Json;

namespace TaskFlow.Engine.Persistence;

/// <summary>
/// Packs rows into one JSON array parameter, so a single SQLite statement
/// (<c>... FROM jsonb_each(@rows)</c>) writes a whole batch: far fewer statement executions
/// than one per row, which is what a commit costs in SQLite.
/// </summary>
/// <remarks>
/// <c>jsonb_each</c>, not <c>json_each</c>: each row is an array, and <c>json_each</c> hands it to
/// the column extractions (<see cref="Col"/>) as JSON text, which SQLite then parses again for
/// them; <c>jsonb_each</c> hands over SQLite's parsed binary form. On a 1,000-branch fan-out that
/// was a fifth of the worker's CPU (bench/RESULTS.md).
/// </remarks>
internal static class SqliteRows
{
    /// <summary>Rows per statement: about 10-30 KB of JSON, below the 85 KB large-object threshold.</summary>
    public const int ChunkSize = 100;

    public static string Pack<T>(IEnumerable<T> rows, Action<Utf8JsonWriter, T> write)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var row in rows)
            {
                writer.WriteStartArray();
                write(writer, row);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static void Value(this Utf8JsonWriter writer, string? value)
    {
        if (value is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteStringValue(value);
        }
    }

    public static void Value(this Utf8JsonWriter writer, long? value)
    {
        if (value is { } v)
        {
            writer.WriteNumberValue(v);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    /// <summary>Column <paramref name="index"/> of the row in <c>jsonb_each</c>'s value.</summary>
    public static string Col(int index) => $"value ->> {index}";
}
