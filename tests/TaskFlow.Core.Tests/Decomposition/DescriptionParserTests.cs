using TaskFlow.Core.Decomposition;

namespace TaskFlow.Core.Tests.Decomposition;

public class DescriptionParserTests
{
    private static string[] Texts(string description) => DescriptionParser.Parse(description).Select(i => i.Text).ToArray();

    [Fact]
    public void Parse_NumberedList_EveryMarkerStyleIsAnItem()
    {
        const string description = """
            Prepare the release:
            1. Update the changelog
            2) Bump the version in every package
            3: Tag the commit
            """;

        var items = DescriptionParser.Parse(description);

        Assert.Equal(["Update the changelog", "Bump the version in every package", "Tag the commit"], items.Select(i => i.Text));
        // A numbered list is a sequence: each numbered item follows the one before it.
        Assert.Equal([false, true, true], items.Select(i => i.AfterPrevious));
        Assert.All(items, i => Assert.Null(i.Group));
    }

    [Fact]
    public void Parse_BulletedList_EveryBulletIsAnItemAndNestedLinesStayWithTheirParent()
    {
        const string description = """
            - Fix the login bug
            * Write a regression test
              covering the expired-token case
            • Review the session code
              - cookie handling
              - token refresh
            """;

        var items = DescriptionParser.Parse(description);

        Assert.Equal(
            ["Fix the login bug", "Write a regression test\ncovering the expired-token case", "Review the session code\n- cookie handling\n- token refresh"],
            items.Select(i => i.Text));
    }

    [Fact]
    public void Parse_NestedItemText_ParsesAgainIntoItsChildren()
    {
        var parent = DescriptionParser.Parse("- Review the session code\n  - cookie handling\n  - token refresh")[0].Text;

        Assert.Equal(["cookie handling", "token refresh"], Texts(parent));
    }

    [Fact]
    public void Parse_Headings_GroupByTheShallowestLevelUsedTwice()
    {
        const string description = """
            # Release 2.0
            Everything for the spring release.

            ## Backend
            - Add the orders endpoint
            ### Storage
            - Migrate the database
            ## Frontend
            Build the orders page with paging.
            ## Announce it
            """;

        var items = DescriptionParser.Parse(description);

        Assert.Equal(
            [
                ("Add the orders endpoint", "Backend"),
                ("Migrate the database", "Backend"),
                ("Build the orders page with paging.", "Frontend"),
                ("Announce it", "Announce it"),
            ],
            items.Select(i => (i.Text, i.Group)));
    }

    [Fact]
    public void Parse_ListBeforeTheFirstGroupHeading_IsAGroupOfItsOwnAndProseThereIsIgnored()
    {
        const string description = """
            Some context about the project.
            - Read the design notes
            ## Build
            - Compile
            ## Ship
            - Upload
            """;

        var items = DescriptionParser.Parse(description);

        Assert.Equal([("Read the design notes", null), ("Compile", "Build"), ("Upload", "Ship")], items.Select(i => (i.Text, i.Group)));
    }

    [Fact]
    public void Parse_SequencingWordsInProse_SplitIntoAChain()
    {
        const string description = "First, clone the repository. Next install the tools; after that build everything, then run the tests, and finally publish the report.";

        var items = DescriptionParser.Parse(description);

        Assert.Equal(["Clone the repository", "Install the tools", "Build everything", "Run the tests", "Publish the report"], items.Select(i => i.Text));
        Assert.Equal([false, true, true, true, true], items.Select(i => i.AfterPrevious));
    }

    [Fact]
    public void Parse_SequencingAcrossLines_SplitsLikeOneParagraph()
    {
        const string description = "Download the data set.\nThen clean it up.\n\nAfterwards, train the model.";

        Assert.Equal(["Download the data set", "Clean it up", "Train the model"], Texts(description));
    }

    [Theory]
    [InlineData("If the build fails, then open an issue.")]
    [InlineData("When the queue is empty, then stop the workers.")]
    [InlineData("Set up the first-time wizard and next.js routing.")]
    [InlineData("Upgrade to Next.js 15 and check the build.")]
    [InlineData("Then.")]
    public void Parse_NoRealSequence_KeepsOneItem(string description)
    {
        Assert.Equal([description], Texts(description));
    }

    [Fact]
    public void Parse_ConditionInsideASequence_StaysInItsStep()
    {
        // "If ..., then" is no boundary, and a sentence without a sequencing word continues the step before it.
        const string description = "First build it. If the build fails, then fix it. Finally deploy it.";

        Assert.Equal(["Build it. If the build fails, then fix it", "Deploy it"], Texts(description));
    }

    [Fact]
    public void Parse_ListItemsWithSequencingWords_DependOnTheItemBefore()
    {
        const string description = """
            - First, write the migration
            - Then run it on staging
            - Update the docs
            - Finally, run it in production
            """;

        var items = DescriptionParser.Parse(description);

        Assert.Equal(["Write the migration", "Run it on staging", "Update the docs", "Run it in production"], items.Select(i => i.Text));
        Assert.Equal([false, true, false, true], items.Select(i => i.AfterPrevious));
    }

    [Fact]
    public void Parse_Mixed_HeadingsListsAndSequencesTogether()
    {
        const string description = """
            # Launch
            ## Backend
            1. Add the endpoint
            2. Add the job
            ## Frontend
            First design the page, then build it.
            ## QA
            - Then test everything
            """;

        var items = DescriptionParser.Parse(description);

        Assert.Equal(
            [
                ("Add the endpoint", "Backend", false),
                ("Add the job", "Backend", true),
                ("Design the page", "Frontend", false),
                ("Build it", "Frontend", true),
                // The first item of a section follows nothing, whatever it says.
                ("Test everything", "QA", false),
            ],
            items.Select(i => (i.Text, i.Group, i.AfterPrevious)));
    }

    [Fact]
    public void Parse_CodeFence_IsNeitherHeadingsNorItems()
    {
        const string description = """
            - Add a backup script:
              ```sh
              # nightly
              - not an item
              ```
            - Schedule it
            """;

        var items = Texts(description);

        Assert.Equal(2, items.Length);
        Assert.Equal("Add a backup script:\n```sh\n# nightly\n- not an item\n```", items[0]);
        Assert.Equal("Schedule it", items[1]);
    }

    [Theory]
    [InlineData("Investigate why the nightly build is slow.")]
    [InlineData("# Only a title")]
    [InlineData("Released in 2024: the year of the rewrite.")]
    [InlineData("-5 degrees is too cold for the *outdoor* test.")]
    public void Parse_NoStructure_IsOneItemWithTheWholeDescription(string description)
    {
        Assert.Equal([description], Texts(description));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  \n\t ")]
    [InlineData(null)]
    public void Parse_Blank_HasNoItems(string? description)
    {
        Assert.Empty(DescriptionParser.Parse(description));
    }

    [Fact]
    public void Parse_WindowsLineEndings_SameAsUnix()
    {
        const string description = "## A\n- one\n- two\n## B\nFirst this. Then that.";

        Assert.Equal(DescriptionParser.Parse(description), DescriptionParser.Parse(description.Replace("\n", "\r\n", StringComparison.Ordinal)));
    }

    [Fact]
    public void Parse_SameTextTwice_SameItems()
    {
        const string description = "# T\n## A\n- one\n  - nested\n## B\nFirst this, then that.";

        Assert.Equal(DescriptionParser.Parse(description), DescriptionParser.Parse(description));
    }
}
