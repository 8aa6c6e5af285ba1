using TaskFlow.Core.Decomposition;

namespace TaskFlow.Core.Tests.Decomposition;

public class StructuralTaskDecomposerTests
{
    [Fact]
    public void Propose_List_NumbersTheSubtasksInDocumentOrder()
    {
        var subtasks = StructuralTaskDecomposer.Propose(new DecompositionTask { Id = "t", Description = "- a\n- bb\n- ccc", Complexity = 60 });

        Assert.Equal(["s1", "s2", "s3"], subtasks.Select(s => s.Id));
        Assert.Equal(["a", "bb", "ccc"], subtasks.Select(s => s.Description));
    }

    [Fact]
    public void Propose_Complexity_SharedOutByLengthAndAddsUpToTheTask()
    {
        // Lengths 1, 2, 3 of 6: quotas 10, 20, 30 of 60 exactly.
        var exact = StructuralTaskDecomposer.Propose(new DecompositionTask { Id = "t", Description = "- a\n- bb\n- ccc", Complexity = 60 });
        // Lengths 1, 1, 1 of 3: quotas 33.3 each; the unit left over goes to the earliest.
        var remainder = StructuralTaskDecomposer.Propose(new DecompositionTask { Id = "t", Description = "- a\n- b\n- c", Complexity = 100 });

        Assert.Equal([10, 20, 30], exact.Select(s => s.Complexity));
        Assert.Equal([34, 33, 33], remainder.Select(s => s.Complexity));
    }

    [Fact]
    public void Propose_Weights_AreTheLengthShares()
    {
        var subtasks = StructuralTaskDecomposer.Propose(new DecompositionTask { Id = "t", Description = "- a\n- bbb", Complexity = 0 });

        Assert.Equal([0.25, 0.75], subtasks.Select(s => s.Weight));
        Assert.All(subtasks, s => Assert.Equal(0, s.Complexity));
    }

    [Fact]
    public void Propose_Sequence_EachStepDependsOnTheOneBefore()
    {
        var subtasks = StructuralTaskDecomposer.Propose(new DecompositionTask { Id = "t", Description = "First plan it, then build it, then ship it.", Complexity = 30 });

        Assert.Equal([[], ["s1"], ["s2"]], subtasks.Select(s => s.Dependencies.ToArray()));
    }

    [Fact]
    public void Propose_Headings_BecomeGroups()
    {
        var subtasks = StructuralTaskDecomposer.Propose(new DecompositionTask { Id = "t", Description = "## A\n- one\n## B\n- two", Complexity = 30 });

        Assert.Equal(["A", "B"], subtasks.Select(s => s.Group));
    }

    [Fact]
    public async Task ProposeAsync_SameAsPropose()
    {
        var task = new DecompositionTask { Id = "t", Description = "## A\n- one\n## B\nFirst x, then y.", Complexity = 77 };

        var proposed = await StructuralTaskDecomposer.Instance.ProposeAsync(task, depth: 2);

        Assert.Equal(StructuralTaskDecomposer.Propose(task).Select(s => (s.Id, s.Description, s.Complexity, s.Weight, s.Group)), proposed.Select(s => (s.Id, s.Description, s.Complexity, s.Weight, s.Group)));
    }

    [Theory]
    [InlineData(10, new long[] { 1, 1, 1 }, new[] { 4, 3, 3 })]
    [InlineData(7, new long[] { 5, 1, 4 }, new[] { 3, 1, 3 })]
    [InlineData(0, new long[] { 3, 9 }, new[] { 0, 0 })]
    [InlineData(5, new long[] { 2 }, new[] { 5 })]
    public void ShareOut_LargestRemainder_AddsUpExactly(int amount, long[] shares, int[] expected)
    {
        Assert.Equal(expected, StructuralTaskDecomposer.ShareOut(amount, shares, shares.Sum()));
    }
}
