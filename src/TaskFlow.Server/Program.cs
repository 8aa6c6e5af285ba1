using TaskFlow.Server.Cli;
using TaskFlow.Server.Hosting;

// `taskflow run|validate|worker|instances ...` is the command line; `taskflow [serve] [options]` is the server.
if (TaskFlowCommand.Handles(args))
{
    return await TaskFlowCommand.Create().Parse(args).InvokeAsync();
}

var builder = WebApplication.CreateBuilder(ServeArguments.ToHostArguments(args));
builder.AddTaskFlowServer();

var app = builder.Build();
app.MapTaskFlowServer();
await app.RunAsync();
return 0;

/// <summary>The entry point; public so functional tests can start the app with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
