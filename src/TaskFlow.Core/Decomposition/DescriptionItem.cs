namespace TaskFlow.Core.Decomposition;

/// <summary>One subtask found in a description.</summary>
/// <param name="Text">Its text: a list item (with its nested lines), a step of a sequence, a section or the whole description.</param>
/// <param name="Group">The group heading it was found under, or null.</param>
/// <param name="AfterPrevious">It follows the item before it in the same section (a sequencing word said so).</param>
internal sealed record DescriptionItem(string Text, string? Group, bool AfterPrevious);
