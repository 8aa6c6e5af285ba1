using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Options;
using TaskFlow.Server.Hosting;
using TaskFlow.Testing;

namespace TaskFlow.Server.Tests.Hosting;

public sealed class TaskFlowServerOptionsTests
{
    [Fact]
    public async Task Start_ShortKeyAndZeroWait_FailsListingBothProblems()
    {
        // Built and started directly (not through WebApplicationFactory, whose background entry
        // point can surface a failed start as a disposed provider instead of the real error).
        var (folder, delete) = TestDatabases.CreateFolder("taskflow-options-test-");
        try
        {
            var builder = WebApplication.CreateBuilder();
            builder.Configuration["TaskFlow:Server:Urls"] = "http://127.0.0.1:0";
            builder.Configuration["TaskFlow:Engine:DataDirectory"] = folder;
            builder.Configuration["TaskFlow:Server:ApiKeys:0"] = "short";
            builder.Configuration["TaskFlow:Server:MaxRunWait"] = "00:00:00";
            builder.AddTaskFlowServer();
            await using var app = builder.Build();
            app.MapTaskFlowServer();

            var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());

            var validation = Assert.IsType<OptionsValidationException>(error is AggregateException aggregate ? aggregate.InnerExceptions.Single() : error);
            Assert.Contains(validation.Failures, f => f.Contains("ApiKeys:0", StringComparison.Ordinal));
            Assert.Contains(validation.Failures, f => f.Contains("MaxRunWait", StringComparison.Ordinal));
        }
        finally
        {
            await delete();
        }
    }
}
