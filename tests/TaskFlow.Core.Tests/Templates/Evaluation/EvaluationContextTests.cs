using System.Text.Json.Nodes;
using TaskFlow.Core.Templates;
using TaskFlow.Core.Templates.Evaluation;

namespace TaskFlow.Core.Tests.Templates.Evaluation;

public class EvaluationContextTests
{
    [Fact]
    public void Charge_OverBudget_ThrowsStepLimit()
    {
        var context = new EvaluationContext([]);
        context.Charge(TemplateLimits.MaxEvaluationSteps);

        var error = Assert.Throws<EvaluationFailedException>(context.Step);

        Assert.Equal("evaluation needed more than 100000 steps; simplify the expression or the data it walks", error.Reason);
    }

    [Fact]
    public void ChargeText_CountsOneStepPerKibibyte()
    {
        var context = new EvaluationContext([]);

        context.ChargeText(10 * 1024);

        Assert.Equal(10, context.StepsTaken);
    }

    [Fact]
    public void CheckLength_OverStringLimit_Throws()
    {
        var context = new EvaluationContext([]);

        var error = Assert.Throws<EvaluationFailedException>(() => context.CheckLength(TemplateLimits.MaxStringLength + 1L));

        Assert.Equal("the result would be 4194305 characters long; the limit is 4194304", error.Reason);
        Assert.Equal(0, context.StepsTaken);
    }

    [Fact]
    public void Render_ManyLargeRanges_ExceedsStepBudget()
    {
        // Each range(1, 10000) costs 10,000 steps; eleven of them exceed the 100,000-step budget.
        var text = "{{ [" + string.Join(", ", Enumerable.Repeat("range(1, 10000)", 11)) + "] }}";

        var error = Assert.Throws<TemplateEvaluationException>(() => Template.Parse(text).Render([]));

        Assert.StartsWith("evaluation needed more than 100000 steps", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_DeepEqualityOnLargeData_ExceedsStepBudget()
    {
        var big = new JsonArray();
        for (var i = 0; i < 120_000; i++)
        {
            big.Add(i);
        }

        var scope = new JsonObject { ["a"] = big, ["b"] = big.DeepClone() };

        var error = Assert.Throws<TemplateEvaluationException>(() => Template.Parse("{{ a == b }}").Render(scope));

        Assert.StartsWith("evaluation needed more than 100000 steps", error.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_BudgetIsPerRender_NotCumulative()
    {
        var template = Template.Parse("{{ length(range(1, 10000)) }}");

        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(10_000, template.Render([])!.GetValue<int>());
        }
    }
}
