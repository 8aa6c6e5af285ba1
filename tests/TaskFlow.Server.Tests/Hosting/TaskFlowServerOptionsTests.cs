using Microsoft.Extensions.Options;
using TaskFlow.Server.Tests.Infrastructure;

namespace TaskFlow.Server.Tests.Hosting;

public sealed class TaskFlowServerOptionsTests
{
    [Fact]
    public async Task Start_ShortKeyAndZeroWait_FailsListingBothProblems()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
        {
            await using var app = await TaskFlowApp.StartAsync(TaskFlowApp.Sqlite, new Dictionary<string, string?>
            {
                ["TaskFlow:Server:ApiKeys:0"] = "short",
                ["TaskFlow:Server:MaxRunWait"] = "00:00:00",
            });
        });

        var validation = Assert.IsType<OptionsValidationException>(error is AggregateException aggregate ? aggregate.InnerExceptions.Single() : error);
        Assert.Contains(validation.Failures, f => f.Contains("ApiKeys:0", StringComparison.Ordinal));
        Assert.Contains(validation.Failures, f => f.Contains("MaxRunWait", StringComparison.Ordinal));
    }
}
