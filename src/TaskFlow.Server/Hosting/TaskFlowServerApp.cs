namespace TaskFlow.Server.Hosting;

/// <summary>
/// The web host, in a method of its own so that Program's entry point does not name ASP.NET Core
/// types: the command line (the hooks above all) starts without loading them.
/// </summary>
internal static class TaskFlowServerApp
{
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(ServeArguments.ToHostArguments(args));
        builder.AddTaskFlowServer();

        var app = builder.Build();
        app.MapTaskFlowServer();
        await app.RunAsync();
        return 0;
    }
}
