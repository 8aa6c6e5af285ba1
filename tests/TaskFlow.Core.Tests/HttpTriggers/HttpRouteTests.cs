using TaskFlow.Core.HttpTriggers;

namespace TaskFlow.Core.Tests.HttpTriggers;

public sealed class HttpRouteTests
{
    [Fact]
    public void Match_ParametersAndLiterals_ReturnsTheRouteValues()
    {
        var route = HttpRoute.TryParse("/orders/{id}/items/{item}/", out var error)!;

        var values = route.Match(["ORDERS", "17", "items", "a b"]);

        Assert.Null(error);
        Assert.Equal("orders/{id}/items/{item}", route.Path);
        Assert.Equal(new Dictionary<string, string> { ["id"] = "17", ["item"] = "a b" }, values);
        Assert.Null(route.Match(["orders", "17", "items"]));
        Assert.Null(route.Match(["orders", "17", "lines", "x"]));
    }

    [Theory]
    [InlineData("orders/{id}", "orders/{orderId}", true)]
    [InlineData("orders/{id}", "orders/new", false)]
    [InlineData("orders/{id}", "orders/{id}/items", false)]
    [InlineData("Orders/new", "orders/NEW", true)]
    public void CollidesWith_SameShape_Collides(string a, string b, bool expected)
    {
        var first = HttpRoute.TryParse(a, out _)!;
        var second = HttpRoute.TryParse(b, out _)!;

        Assert.Equal(expected, first.CollidesWith(second));
        Assert.Equal(expected, second.CollidesWith(first));
    }
}
