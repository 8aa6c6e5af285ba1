namespace TaskFlow.Core.Decomposition;

/// <summary>
/// The built-in decomposer: derives subtasks from the structure of the description (headings,
/// lists, sequencing words). Pure and deterministic: the same task always gives the same subtasks.
/// </summary>
public sealed class StructuralTaskDecomposer : ITaskDecomposer
{
    public static StructuralTaskDecomposer Instance { get; } = new();

    public ValueTask<IReadOnlyList<Subtask>> ProposeAsync(DecompositionTask task, int depth, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Propose(task));

    /// <summary>
    /// The subtasks found in <paramref name="task"/>'s description, with ids <c>s1</c>, <c>s2</c>, ...
    /// in document order. Each one's complexity is the task's complexity shared out by the length
    /// of its text (largest remainder, so they add up to the task's), and its weight is that share.
    /// A step that a sequencing word puts after another depends on it; a heading is its group.
    /// </summary>
    public static IReadOnlyList<Subtask> Propose(DecompositionTask task)
    {
        ArgumentNullException.ThrowIfNull(task);
        var items = DescriptionParser.Parse(task.Description);
        if (items.Count == 0)
        {
            return [];
        }

        var lengths = items.Select(i => (long)i.Text.Length).ToArray();
        var total = lengths.Sum();
        var complexities = ShareOut(Math.Max(0, task.Complexity), lengths, total);
        var subtasks = new Subtask[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            subtasks[i] = new Subtask
            {
                Id = "s" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                Description = items[i].Text,
                Complexity = complexities[i],
                Weight = (double)lengths[i] / total,
                Dependencies = items[i].AfterPrevious ? [subtasks[i - 1].Id] : [],
                Group = items[i].Group,
            };
        }

        return subtasks;
    }

    /// <summary>Splits <paramref name="amount"/> in proportion to <paramref name="shares"/>, in whole numbers that add up to it.</summary>
    internal static int[] ShareOut(int amount, long[] shares, long total)
    {
        var result = new int[shares.Length];
        if (total <= 0)
        {
            return result;
        }

        // Largest remainder: everyone gets the floor of their quota, and the units left over go
        // to the largest remainders, the earlier item first on a tie. Exact integer arithmetic.
        var remainders = new long[shares.Length];
        var given = 0;
        for (var i = 0; i < shares.Length; i++)
        {
            var quota = amount * shares[i];
            result[i] = (int)(quota / total);
            remainders[i] = quota % total;
            given += result[i];
        }

        var order = Enumerable.Range(0, shares.Length).OrderByDescending(i => remainders[i]).ThenBy(i => i).ToArray();
        for (var k = 0; k < amount - given; k++)
        {
            result[order[k]]++;
        }

        return result;
    }
}
