using TaskFlow.Core.Import;

namespace TaskFlow.Core.Tests.Import;

public class ElsaScriptAccessorsTests
{
    private static string? Resolve(string accessor) => accessor switch
    {
        "Get:OrderId" => "getVariable('orderId')",
        "Set:OrderId" => "setVariable('orderId', ",
        "Get:CurrentValue" => "item",
        _ => null,
    };

    [Theory]
    [InlineData("return getOrderId() + 1;", "return (getVariable('orderId')) + 1;")]
    [InlineData("setOrderId(5); return getOrderId ( );", "setVariable('orderId', 5); return (getVariable('orderId'));")]
    [InlineData("`Id: ${getOrderId()} and ${`nested ${getCurrentValue()}`}`", "`Id: ${(getVariable('orderId'))} and ${`nested ${(item)}`}`")]
    [InlineData("'getOrderId()' + \"getOrderId()\"", "'getOrderId()' + \"getOrderId()\"")]
    [InlineData("x.getOrderId() + getOther() // getOrderId()", "x.getOrderId() + getOther() // getOrderId()")]
    [InlineData("getOrderId(1)", "getOrderId(1)")]
    public void Rewrite_Script_RenamesOnlyKnownAccessorCallsOutsideStringsAndComments(string source, string expected)
    {
        Assert.Equal(expected, ElsaScriptAccessors.Rewrite(source, Resolve));
    }
}
