using System.CommandLine;

namespace TaskFlow.Server.Cli;

/// <summary>
/// <c>taskflow serve</c>, described here for help and option checking; Program runs the web host
/// itself (see <see cref="TaskFlowCommand.Handles"/>), so functional tests start the same app.
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var command = new Command("serve", "Run the TaskFlow server (the default with no command): REST API, OpenAPI at /openapi/v1.json, API reference at /docs, /health.")
        {
            new Option<string?>("--urls") { Description = "Addresses to listen on (default http://127.0.0.1:5080; also ASPNETCORE_URLS or TaskFlow:Server:Urls)." },
            new Option<string?>("--postgres") { Description = "PostgreSQL connection string; SQLite in the data folder when omitted. Also TASKFLOW_POSTGRES or TaskFlow:Engine:PostgresConnectionString." },
            new Option<string?>("--data") { Description = "Data folder for the embedded SQLite database and the generated API key (default .taskflow)." },
        };

        // Any other --Section:Key=value is host configuration, as in every ASP.NET Core app.
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(_ => 0);
        return command;
    }
}
