using TaskFlow.Server.Cli;
using TaskFlow.Server.Hosting;

// `taskflow hook|hooks ...` runs on every Claude Code Task call: it starts without the rest of the
// command line, and nothing here names a web-host type, so none of ASP.NET Core is loaded for it.
if (TaskFlowCommand.HandlesHooks(args))
{
    return await TaskFlowCommand.CreateHooks(args).Parse(args).InvokeAsync();
}

// `taskflow run|validate|worker|instances ...` is the command line; `taskflow [serve] [options]` is the server.
if (TaskFlowCommand.Handles(args))
{
    return await TaskFlowCommand.Create().Parse(args).InvokeAsync();
}

return await TaskFlowServerApp.RunAsync(args);

/// <summary>The entry point; public so functional tests can start the app with <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
