using TaskFlow.Chaos.Fuzz;
using Xunit.Abstractions;

namespace TaskFlow.Chaos.Tests.Fuzz;

/// <summary>
/// The fuzzers with a fixed seed, so a failure here is reproducible: the same seed gives the same
/// cases (the bench runs many more, with other seeds). A failure lists each offending input.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private const int Seed = 22;

    [Fact]
    public async Task Definitions_RandomAndMutated_EveryRejectionNamesTheProblemAndNothingThrows()
    {
        Check(await DefinitionFuzzer.RunDefinitionsAsync(2_000, Seed));
    }

    [Fact]
    public async Task ElsaImport_MutatedRealFiles_EveryRejectionNamesTheProblemAndNothingThrows()
    {
        Check(await DefinitionFuzzer.RunElsaAsync(2_000, Seed));
    }

    [Fact]
    public void Templates_RandomExpressions_RefusedOrRenderedNeverCrash()
    {
        Check(TemplateFuzzer.Run(10_000, Seed));
    }

    [Fact]
    public void JavaScript_RandomScripts_RefusedEvaluatedOrStoppedByALimit_NeverCrash()
    {
        Check(JavaScriptFuzzer.Run(1_000, Seed));
    }

    [Fact]
    public async Task HookStdin_MutatedReferenceInputs_AnsweredWithADocumentedExitCode_RefusalsChangeNothing()
    {
        Check(await HookFuzzer.RunAsync(2_000, Seed));
    }

    [Fact]
    public async Task McpTools_FuzzedArgumentsOnARealServer_AnsweredWithAResultOrAnErrorThatSaysWhy()
    {
        Check(await McpToolFuzzer.RunAsync(1_000, Seed));
    }

    [Fact]
    public async Task RestApi_RandomRequestsOnARealServer_NoServerErrorAndEvery400SaysWhy()
    {
        Check(await ApiFuzzer.RunAsync(1_500, Seed));
    }

    private void Check(FuzzFigures figures)
    {
        output.WriteLine(figures.ToString());
        Assert.True(figures.Failures.Count == 0, figures.ToString());

        // Both sides were reached: a fuzzer that only ever rejects (or accepts) tests little.
        Assert.True(figures.Accepted > 0, $"No case was accepted: {figures.Line()}");
        Assert.True(figures.Rejected > 0, $"No case was rejected: {figures.Line()}");
    }
}
