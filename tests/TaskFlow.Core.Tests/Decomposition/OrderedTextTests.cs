using TaskFlow.Core.Decomposition;

namespace TaskFlow.Core.Tests.Decomposition;

/// <summary>Task prompts written as users write them: the order in the words becomes the order of the graph.</summary>
public class OrderedTextTests
{
    public static TheoryData<string, string[], string, DecompositionStrategy> Prompts => new()
    {
        {
            "Build the release: 1. run the unit tests 2. build the docker image 3. publish the changelog",
            ["Run the unit tests", "Build the docker image", "Publish the changelog"],
            "s1 s2<s1 s3<s2",
            DecompositionStrategy.Sequential
        },
        {
            "1. bump the version 2. tag the commit 3. push the tag",
            ["Bump the version", "Tag the commit", "Push the tag"],
            "s1 s2<s1 s3<s2",
            DecompositionStrategy.Sequential
        },
        {
            """
            Deploy the hotfix:
            1. Merge the fix into release/2.3
            2. Run the smoke tests against staging
            3. Roll out to production
            """,
            ["Merge the fix into release/2.3", "Run the smoke tests against staging", "Roll out to production"],
            "s1 s2<s1 s3<s2",
            DecompositionStrategy.Sequential
        },
        {
            "First reproduce the crash on Android 14, then write a failing test, and after that fix the null check.",
            ["Reproduce the crash on Android 14", "Write a failing test", "Fix the null check"],
            "s1 s2<s1 s3<s2",
            DecompositionStrategy.Sequential
        },
        {
            """
            Things to clean up before the demo:
            - remove the debug logging
            - rename the feature flag
            - update the screenshots in the README
            """,
            ["remove the debug logging", "rename the feature flag", "update the screenshots in the README"],
            "s1 s2 s3",
            DecompositionStrategy.Parallel
        },
        {
            """
            ## Backend
            - add the /orders endpoint
            - add paging to /customers
            ## Frontend
            - build the orders page
            """,
            ["add the /orders endpoint", "add paging to /customers", "build the orders page"],
            "s1 s2 s3",
            DecompositionStrategy.Hierarchical
        },
        {
            """
            ## Prepare
            1. freeze the main branch
            2. cut release/3.0
            ## Announce
            - post in #releases
            - email the customers
            """,
            ["freeze the main branch", "cut release/3.0", "post in #releases", "email the customers"],
            "s1 s2<s1 s3 s4",
            DecompositionStrategy.Hierarchical
        },
        {
            "Upgrade to version 2.0 of the SDK and check the 3.5 GB limit still holds.",
            ["Upgrade to version 2.0 of the SDK and check the 3.5 GB limit still holds."],
            "s1",
            DecompositionStrategy.Parallel
        },
    };

    [Theory]
    [MemberData(nameof(Prompts))]
    public void Decompose_Prompt_OrderFollowsTheWords(string prompt, string[] texts, string dependencies, DecompositionStrategy strategy)
    {
        var result = DecompositionTestKit.DecomposeValid(DecompositionTestKit.Task(prompt, 30));

        Assert.Equal(texts, result.Subtasks.Select(s => s.Description));
        Assert.Equal(dependencies, string.Join(" ", result.Subtasks.Select(s => s.Dependencies.Count == 0 ? s.Id : s.Id + "<" + string.Join(",", s.Dependencies))));
        Assert.Equal(strategy, result.Strategy);
        Assert.StartsWith(strategy + ":", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_SequentialPrompt_TheReasonSaysTheStepsChain()
    {
        var result = DecompositionTestKit.DecomposeValid(DecompositionTestKit.Task("Build the release: 1. run the unit tests 2. build the docker image", 30));

        var json = DecompositionJson.Describe(result);

        Assert.Equal("sequential", json["strategy"]!.GetValue<string>());
        Assert.Contains("chain every subtask", json["reason"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public void Decompose_AskedForStrategy_TheReasonSaysSo()
    {
        var result = DecompositionTestKit.DecomposeValid(
            DecompositionTestKit.Task("- a\n- b", 30),
            DecompositionTestKit.Options(DecompositionStrategy.Sequential));

        Assert.Equal("Sequential: the strategy was asked for.", result.Reason);
    }
}
