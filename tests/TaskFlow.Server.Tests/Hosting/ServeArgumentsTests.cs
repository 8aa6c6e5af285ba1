using TaskFlow.Server.Cli;
using TaskFlow.Server.Hosting;

namespace TaskFlow.Server.Tests.Hosting;

public sealed class ServeArgumentsTests
{
    [Fact]
    public void ToHostArguments_ServeWithAliases_MapsToConfigurationKeys()
    {
        var result = ServeArguments.ToHostArguments(["serve", "--postgres", "Host=db", "--data=/tmp/x", "--urls", "http://127.0.0.1:6000"]);

        Assert.Equal(["--TaskFlow:Engine:PostgresConnectionString", "Host=db", "--TaskFlow:Engine:DataDirectory", "/tmp/x", "--urls", "http://127.0.0.1:6000"], result);
    }

    [Theory]
    [InlineData(new string[0], false)]
    [InlineData(new[] { "serve" }, false)]
    [InlineData(new[] { "--urls", "http://127.0.0.1:1" }, false)]
    [InlineData(new[] { "serve", "--help" }, true)]
    [InlineData(new[] { "run", "x.json" }, true)]
    [InlineData(new[] { "worker" }, true)]
    [InlineData(new[] { "instances", "list" }, true)]
    public void Handles_Arguments_RoutesCliOrServer(string[] args, bool cli) => Assert.Equal(cli, TaskFlowCommand.Handles(args));
}
