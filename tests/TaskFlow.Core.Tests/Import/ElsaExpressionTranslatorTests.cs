using TaskFlow.Core.Import;

namespace TaskFlow.Core.Tests.Import;

public class ElsaExpressionTranslatorTests
{
    private static ElsaNames Names()
    {
        var names = new ElsaNames();
        foreach (var variable in (string[])["amount", "approved", "status", "region", "my var", "order_id"])
        {
            names.AddVariable(null, variable);
        }

        names.AddInput("customer");
        return names;
    }

    [Theory]
    [InlineData("getVariable('amount') > 1000", "vars.amount > 1000")]
    [InlineData("return getVariable(\"status\") === 'new';", "vars.status == 'new'")]
    [InlineData("getAmount() >= 10 && !getApproved()", "vars.amount >= 10 && !vars.approved")]
    [InlineData("!(variables.status !== 'done' || getVariable('amount') < 0)", "!(vars.status != 'done' || vars.amount < 0)")]
    [InlineData("getInput('customer').address.city", "input.customer.address.city")]
    [InlineData("getCustomer() != null", null)] // loose != converts types in JavaScript
    [InlineData("getCustomer() !== null", "input.customer != null")]
    [InlineData("getVariable('my var') + 1", "vars['my var'] + 1")]
    [InlineData("getMyVar() + getOrderId()", "vars['my var'] + vars.order_id")]
    [InlineData("getamount() > 1", null)] // accessors are Pascal-cased: getAmount()
    [InlineData("getVariable('amount') * 2 - 1.5", "vars.amount * 2 - 1.5")]
    [InlineData("'it\\'s ' + getVariable('status')", "'it\\'s ' + vars.status")]
    [InlineData("true", "true")]
    public void TranslateScript_JavaScriptCondition_TranslatesTheSharedSubset(string code, string? expected)
    {
        var translated = ElsaExpressionTranslator.TranslateScript("JavaScript", code, Names(), condition: true);

        Assert.Equal(expected, translated);
    }

    [Theory]
    [InlineData("Variable.Get<int>(\"amount\") > 5", "vars.amount > 5")]
    [InlineData("Variable.Get(\"status\") == \"new\" && Variable.approved", "vars.status == 'new' && vars.approved")]
    [InlineData("return Input.Get(\"customer\") != null;", "input.customer != null")]
    [InlineData("Variable.amount === 1", null)]
    [InlineData("Variable.unknown > 1", null)]
    [InlineData("'c' == Variable.status", null)] // a char literal in C#
    public void TranslateScript_CSharpCondition_TranslatesTheSharedSubset(string code, string? expected)
    {
        var translated = ElsaExpressionTranslator.TranslateScript("CSharp", code, Names(), condition: true);

        Assert.Equal(expected, translated);
    }

    [Theory]
    [InlineData("getVariable('amount') == 1")]
    [InlineData("getVariable('items').length > 0")]
    [InlineData("getVariable('status').toUpperCase()")]
    [InlineData("`Hello ${getVariable('status')}`")]
    [InlineData("Math.max(1, 2)")]
    [InlineData("var a = 1; return a;")]
    [InlineData("getVariable('amount') / 2")]
    [InlineData("getUnknown()")]
    [InlineData("1e3 > getVariable('amount')")]
    [InlineData("")]
    public void TranslateScript_OutsideTheSharedSubset_ReturnsNull(string code)
    {
        Assert.Null(ElsaExpressionTranslator.TranslateScript("JavaScript", code, Names(), condition: true));
    }

    [Fact]
    public void TranslateScript_LogicalOperatorsInAValue_ReturnsNull()
    {
        // In JavaScript a || b is a or b itself; in TaskFlow it is true or false, which only agrees as a condition.
        Assert.Null(ElsaExpressionTranslator.TranslateScript("JavaScript", "getVariable('status') || 'none'", Names(), condition: false));
        Assert.Equal("vars.status", ElsaExpressionTranslator.TranslateScript("JavaScript", "getVariable('status')", Names(), condition: false));
    }

    [Fact]
    public void TranslateScript_OtherLanguage_ReturnsNull()
    {
        Assert.Null(ElsaExpressionTranslator.TranslateScript("Python", "variables.amount > 1", Names(), condition: true));
    }

    [Theory]
    [InlineData("Syncing {{ Variables.region }} for {{Input.customer}}", "Syncing {{ vars.region }} for {{ input.customer }}")]
    [InlineData("No placeholders", "No placeholders")]
    [InlineData("{{ Variables.region | upcase }}", null)]
    [InlineData("{% if Variables.approved %}yes{% endif %}", null)]
    [InlineData("{{ Variables.unknown }}", null)]
    [InlineData("{{ Variables.region ", null)]
    public void TranslateLiquid_PlaceholdersOfVariablesAndInputs_BecomeTemplates(string text, string? expected)
    {
        Assert.Equal(expected, ElsaExpressionTranslator.TranslateLiquid(text, Names()));
    }
}
