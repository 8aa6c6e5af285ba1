using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Npgsql;
using TaskFlow.Server.Tests.Infrastructure;
using TaskFlow.Testing;
using YamlDotNet.RepresentationModel;

namespace TaskFlow.Server.Tests.Deployment;

/// <summary>
/// docker/docker-compose.yml and docker/prometheus/prometheus.yml, parsed as Compose and Prometheus read
/// them, and the settings they give TaskFlow run for real: no container engine or registry is
/// available to the tests, so the containers' processes are started here as processes, with
/// the environment the containers would get.
/// </summary>
public sealed partial class ComposeFileTests
{
    private const string Postgres = "postgres";
    private const string Server = "taskflow";
    private const string Worker = "taskflow-worker";
    private const string Prometheus = "prometheus";
    private const string Grafana = "grafana";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly ComposeFile _compose = ComposeFile.Load();
    private readonly DockerfileModel _dockerfile = DockerfileModel.Load(DeploymentFiles.Dockerfile);

    [Fact]
    public void Services_TheFive_EachWithAHealthcheck()
    {
        Assert.Equal(new[] { Grafana, Postgres, Prometheus, Server, Worker }, _compose.Services.Entries().Select(e => e.Key).Order(StringComparer.Ordinal));
        foreach (var service in new[] { Postgres, Server, Worker, Prometheus, Grafana })
        {
            var test = _compose.HealthcheckTest(service);
            Assert.True(test is [("CMD" or "CMD-SHELL"), _, ..], $"services.{service}.healthcheck.test should be a command, found: {(test is null ? "none" : string.Join(' ', test))}");
        }

        // The server's check is readiness (the database answers), not mere liveness.
        Assert.Equal(new[] { "CMD", "taskflow-probe", "http", "/health/ready" }, _compose.HealthcheckTest(Server));
        Assert.Equal("pg_isready", _compose.HealthcheckTest(Postgres)![1]);
    }

    [Fact]
    public void DependsOn_EveryDependency_WaitsUntilHealthy()
    {
        var edges = new List<string>();
        foreach (var (service, node) in _compose.Services.Entries())
        {
            if (((YamlMappingNode)node).Child("depends_on") is not { } dependsOn)
            {
                continue;
            }

            var dependencies = Assert.IsType<YamlMappingNode>(dependsOn);
            foreach (var (dependency, settings) in dependencies.Entries())
            {
                Assert.Equal("service_healthy", ((YamlMappingNode)settings).Scalar("condition"));
                Assert.NotNull(_compose.HealthcheckTest(dependency));
                edges.Add($"{service}->{dependency}");
            }
        }

        Assert.Equal(new[] { $"{Grafana}->{Prometheus}", $"{Prometheus}->{Server}", $"{Server}->{Postgres}", $"{Worker}->{Postgres}" }, edges.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Ports_PublishedOnLoopbackOnly_ServerOnItsListenPort()
    {
        foreach (var service in new[] { Postgres, Server, Worker, Prometheus, Grafana })
        {
            foreach (var port in _compose.Ports(service))
            {
                Assert.True(port.StartsWith("127.0.0.1:", StringComparison.Ordinal), $"services.{service}.ports '{port}' is not bound to 127.0.0.1 only.");
            }
        }

        Assert.Empty(_compose.Ports(Postgres));
        Assert.Empty(_compose.Ports(Worker));
        var published = Assert.Single(_compose.Ports(Server));
        Assert.Equal(ListenPort().ToString(CultureInfo.InvariantCulture), published.Split(':')[^1]);
    }

    [Fact]
    public void Environment_EveryVariable_IsASettingTheAppReads()
    {
        var variables = EnvFile();
        var problems = new List<string>();
        void Check(string where, IEnumerable<KeyValuePair<string, string?>> environment, TaskFlowRole role) =>
            problems.AddRange(environment.Select(e => AppSettings.Problem(e.Key, e.Value, role)).OfType<string>().Select(p => $"{where}: {p}"));

        // The image's ENV applies to every container of the image; it is the server's configuration.
        Check("Dockerfile ENV", _dockerfile.Final.Environment().Select(e => KeyValuePair.Create(e.Key, (string?)e.Value)), TaskFlowRole.Serve);
        Check($"services.{Server}", _compose.Environment(Server, variables), TaskFlowRole.Serve);
        Check($"services.{Worker}", _compose.Environment(Worker, variables), TaskFlowRole.Worker);

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        Assert.Contains("TASKFLOW_POSTGRES", _compose.Environment(Server, variables).Keys);
        Assert.Contains("TASKFLOW_POSTGRES", _compose.Environment(Worker, variables).Keys);
    }

    [Theory]
    [InlineData("TaskFlow__Engine__MaxConcurency", "8", TaskFlowRole.Serve, "MaxConcurency")]
    [InlineData("TaskFlow__Engine__Limits__MaxDepht", "3", TaskFlowRole.Serve, "MaxDepht")]
    [InlineData("TaskFlow__Engine__MaxConcurrency", "many", TaskFlowRole.Serve, "'many'")]
    [InlineData("TaskFlow__Server__ApiKey__0", "0123456789abcdef", TaskFlowRole.Serve, "ApiKey")]
    [InlineData("TaskFlow__Scheduler__Enabled", "true", TaskFlowRole.Serve, "no TaskFlow setting")]
    [InlineData("ConnectionStrings__TaskFlow", "Host=db", TaskFlowRole.Serve, "no ConnectionStrings")]
    [InlineData("TASKFLOW_API_KEY", "0123456789abcdef", TaskFlowRole.Serve, "never reads")]
    [InlineData("TaskFlow__Engine__RunWorkers", "false", TaskFlowRole.Worker, "ignored")]
    [InlineData("TaskFlow__Jobs__Enabled", "true", TaskFlowRole.Worker, "engine only")]
    [InlineData("TaskFlow__Server__Urls", "http://0.0.0.0:5080", TaskFlowRole.Worker, "engine only")]
    public void AppSettings_VariableTheRoleDoesNotRead_IsNamed(string variable, string value, TaskFlowRole role, string expected)
    {
        var problem = AppSettings.Problem(variable, value, role);

        Assert.NotNull(problem);
        Assert.StartsWith(variable, problem);
        Assert.Contains(expected, problem);
    }

    [Theory]
    [InlineData("TaskFlow__Engine__Limits__MaxDepth", "3", TaskFlowRole.Serve)]
    [InlineData("TaskFlow__engine__leaseduration", "00:00:45", TaskFlowRole.Serve)]
    [InlineData("TaskFlow__Server__ApiKeys__1", "0123456789abcdef", TaskFlowRole.Serve)]
    [InlineData("TaskFlow__Engine__CommitBatchSize", "128", TaskFlowRole.Worker)]
    [InlineData("TaskFlow__Engine__PostgresConnectionString", "Host=db", TaskFlowRole.Worker)]
    [InlineData("TaskFlow__Engine__MaxConcurrency", "8", TaskFlowRole.Worker)]
    [InlineData("TaskFlow__Server__ApiKeys__0", "0123456789abcdef", TaskFlowRole.Worker)]
    [InlineData("TaskFlow__Metrics__Urls", "http://0.0.0.0:9464", TaskFlowRole.Worker)]
    [InlineData("TASKFLOW_POSTGRES", "Host=db", TaskFlowRole.Serve)]
    [InlineData("TASKFLOW_POSTGRES", "Host=db", TaskFlowRole.Worker)]
    public void AppSettings_VariableTheRoleReads_IsAccepted(string variable, string value, TaskFlowRole role) =>
        Assert.Null(AppSettings.Problem(variable, value, role));

    [Fact]
    public void Database_ServerAndWorker_UseThePostgresServiceWithItsCredentials()
    {
        var variables = EnvFile();
        var postgres = _compose.Environment(Postgres, variables);
        Assert.Equal(variables["POSTGRES_PASSWORD"], postgres["POSTGRES_PASSWORD"]);

        foreach (var service in new[] { Server, Worker })
        {
            var connection = new NpgsqlConnectionStringBuilder(_compose.Environment(service, variables)["TASKFLOW_POSTGRES"]);
            Assert.Equal(Postgres, connection.Host);
            Assert.Equal(5432, connection.Port);
            Assert.Equal(postgres["POSTGRES_USER"], connection.Username);
            Assert.Equal(postgres["POSTGRES_PASSWORD"], connection.Password);
            Assert.Equal(postgres["POSTGRES_DB"], connection.Database);
        }

        var readiness = _compose.HealthcheckTest(Postgres)!;
        Assert.Equal(postgres["POSTGRES_USER"], readiness[readiness.ToList().IndexOf("-U") + 1]);
        Assert.Equal(postgres["POSTGRES_DB"], readiness[readiness.ToList().IndexOf("-d") + 1]);
    }

    [Fact]
    public void Secrets_Unset_ComposeStopsNamingTheMissingOne()
    {
        var required = ComposeFile.RequiredVariables(File.ReadAllText(DeploymentFiles.Compose));
        Assert.Equal(new[] { "GRAFANA_ADMIN_PASSWORD", "POSTGRES_PASSWORD", "TASKFLOW_API_KEY" }, required.Order(StringComparer.Ordinal));

        // docker/.env.example names every one of them.
        var example = File.ReadAllLines(DeploymentFiles.EnvExample).Select(l => l.Split('=')[0].Trim()).ToHashSet(StringComparer.Ordinal);
        Assert.All(required, name => Assert.Contains(name, example));

        var noKey = new Dictionary<string, string> { ["POSTGRES_PASSWORD"] = "secret" };
        var missing = Assert.Throws<ComposeVariableException>(() => _compose.Environment(Server, noKey));
        Assert.Equal("TASKFLOW_API_KEY", missing.Variable);
        Assert.Contains("docker/.env", missing.Message);
        Assert.Equal("POSTGRES_PASSWORD", Assert.Throws<ComposeVariableException>(() => _compose.Environment(Worker, new Dictionary<string, string>())).Variable);
    }

    [Fact]
    public void Prometheus_ScrapesTheServersMetrics_WithTheApiKeyFromASecretFile()
    {
        var prometheus = DeploymentFiles.LoadYaml(DeploymentFiles.Prometheus);
        var target = $"{Server}:{ListenPort()}";
        var job = Assert.Single(JobsScraping(prometheus, target));
        Assert.Equal("/metrics", job.Scalar("metrics_path") ?? "/metrics");
        Assert.Equal("http", job.Scalar("scheme") ?? "http");

        // The server accepts "Authorization: Bearer KEY": Prometheus sends that with the file's contents.
        var authorization = job.Mapping("authorization", "the taskflow scrape job");
        Assert.Equal("Bearer", authorization.Scalar("type") ?? "Bearer");
        var credentialsFile = authorization.Scalar("credentials_file");
        Assert.NotNull(credentialsFile);

        // That file is a secret mounted into the prometheus service, readable by its non-root user ...
        var service = _compose.Service(Prometheus);
        var mounted = service.Sequence("secrets", "services.prometheus").Children.Cast<YamlMappingNode>()
            .Single(s => "/run/secrets/" + s.Scalar("target") == credentialsFile);
        Assert.True((Convert.ToInt32(mounted.Scalar("mode"), 8) & 0b100) != 0, "The secret file must be readable by others: Prometheus runs as 'nobody', and the file may be owned by root.");

        // ... made from the same variable that gives the server its key.
        var secret = _compose.Root.Mapping("secrets", "docker-compose.yml").Mapping(mounted.Scalar("source")!, "secrets");
        var variable = secret.Scalar("environment");
        Assert.NotNull(variable);
        var variables = EnvFile();
        Assert.Equal(variables[variable], _compose.Environment(Server, variables)["TaskFlow__Server__ApiKeys__0"]);

        // And this file is the configuration Prometheus loads, with its alert rules beside it.
        Assert.Contains("./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro", service.Sequence("volumes", "services.prometheus").Strings());
        Assert.Contains("./prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro", service.Sequence("volumes", "services.prometheus").Strings());
        Assert.Equal(["alerts.yml"], prometheus.Sequence("rule_files", "prometheus.yml").Strings());
    }

    [Fact]
    public void Prometheus_ScrapesTheWorkersMetrics_OnTheAddressTheWorkerListensOn_WithTheSameKey()
    {
        var prometheus = DeploymentFiles.LoadYaml(DeploymentFiles.Prometheus);
        var variables = EnvFile();
        var environment = _compose.Environment(Worker, variables);
        var listen = new Uri(environment["TaskFlow__Metrics__Urls"]!);
        var job = Assert.Single(JobsScraping(prometheus, $"{Worker}:{listen.Port}"));
        Assert.Equal("/metrics", job.Scalar("metrics_path") ?? "/metrics");
        Assert.Equal("Bearer", job.Mapping("authorization", "the worker's scrape job").Scalar("type") ?? "Bearer");
        Assert.Equal("/run/secrets/taskflow-api-key", job.Mapping("authorization", "the worker's scrape job").Scalar("credentials_file"));
        Assert.Equal(variables["TASKFLOW_API_KEY"], environment["TaskFlow__Server__ApiKeys__0"]);

        // Reachable on the compose network, not published on the host.
        Assert.Equal("0.0.0.0", listen.Host);
        Assert.Empty(_compose.Ports(Worker));
    }

    [Fact]
    public void Grafana_ProvisionsThePrometheusDatasource_AndTheDashboard()
    {
        var service = _compose.Service(Grafana);
        var volumes = service.Sequence("volumes", "services.grafana").Strings().ToList();
        Assert.Contains("./grafana/provisioning:/etc/grafana/provisioning:ro", volumes);
        Assert.Contains("./grafana/dashboards:/var/lib/grafana/dashboards:ro", volumes);
        Assert.Equal("GRAFANA_ADMIN_PASSWORD", Assert.Throws<ComposeVariableException>(() => _compose.Environment(Grafana, new Dictionary<string, string>())).Variable);

        var datasource = DeploymentFiles.LoadYaml(DeploymentFiles.InRepository("docker", "grafana", "provisioning", "datasources", "prometheus.yml"))
            .Sequence("datasources", "datasources").Children.Cast<YamlMappingNode>().Single();
        Assert.Equal("http://prometheus:9090", datasource.Scalar("url"));
        var provider = DeploymentFiles.LoadYaml(DeploymentFiles.InRepository("docker", "grafana", "provisioning", "dashboards", "taskflow.yml"))
            .Sequence("providers", "providers").Children.Cast<YamlMappingNode>().Single();
        Assert.Equal("/var/lib/grafana/dashboards", provider.Mapping("options", "providers").Scalar("path"));

        // Every panel's queries use the provisioned datasource, by its uid.
        var dashboard = JsonNode.Parse(File.ReadAllText(DeploymentFiles.InRepository("docker", "grafana", "dashboards", "mcp-infrastructure-scaling-monitor.json")))!;
        var targets = dashboard["panels"]!.AsArray().Where(p => (string?)p!["type"] != "row").SelectMany(p => p!["targets"]!.AsArray()).ToList();
        Assert.NotEmpty(targets);
        Assert.All(targets, t => Assert.Equal(datasource.Scalar("uid"), (string?)t!["datasource"]!["uid"]));
    }

    private static List<YamlMappingNode> JobsScraping(YamlMappingNode prometheus, string target) =>
        [.. prometheus.Sequence("scrape_configs", "prometheus.yml").Children.Cast<YamlMappingNode>()
            .Where(job => job.Child("static_configs") is YamlSequenceNode configs
                && configs.Children.Cast<YamlMappingNode>().Any(c => c.Sequence("targets", "static_configs").Strings().Contains(target)))];

    /// <summary>
    /// The taskflow and taskflow-worker services' settings, exactly as the compose file and the
    /// Dockerfile give them, with only what differs outside a container replaced: the database
    /// address and credentials (a throwaway test database), the listen address (a free loopback
    /// port) and the data folder. Both run the built taskflow.dll the image publishes.
    /// </summary>
    [Fact]
    public async Task ComposeSettings_ServerAndWorkerOnPostgres_RunWorkflowAndPassHealthchecks()
    {
        var variables = EnvFile();
        var (connection, drop) = await TestDatabases.CreatePostgresAsync();
        var root = Path.Combine(Path.GetTempPath(), "taskflow-compose-test-" + Guid.NewGuid().ToString("N")[..12]);
        var (app, home, data) = (Path.Combine(root, "app"), Path.Combine(root, "home"), Path.Combine(root, "data"));
        foreach (var folder in new[] { app, home, data })
        {
            Directory.CreateDirectory(folder);
        }

        var test = new NpgsqlConnectionStringBuilder(connection);
        var composeDatabase = new NpgsqlConnectionStringBuilder(_compose.Environment(Server, variables)["TASKFLOW_POSTGRES"]);
        TaskFlowProcess? worker = null, server = null;
        try
        {
            ContainerProcess Prepare(string service)
            {
                var process = ContainerProcess.For(_compose, _dockerfile, service, variables);
                process.Replace("TASKFLOW_POSTGRES", compose => new NpgsqlConnectionStringBuilder(compose)
                {
                    Host = test.Host, Port = test.Port, Username = test.Username, Password = test.Password, Database = test.Database,
                }.ConnectionString);
                process.Replace("TaskFlow__Server__Urls", _ => "http://127.0.0.1:0");
                process.Replace("TaskFlow__Engine__DataDirectory", _ => data);

                // The image's user 'app' has a home folder; ASP.NET Core keeps its data-protection keys there.
                process.Environment["HOME"] = home;
                return process;
            }

            // The worker first, on the empty database: its migrations prove it uses the compose
            // file's PostgreSQL rather than a SQLite file of its own. Its metrics listen on a free
            // loopback port here (on every address of the container in compose).
            var workerProcess = Prepare(Worker);
            workerProcess.Replace("TaskFlow__Metrics__Urls", _ => "http://127.0.0.1:0");
            worker = Launch(workerProcess, app);
            await worker.WaitForOutputAsync("worker started", StartTimeout);
            var metricsLine = await worker.WaitForOutputAsync("metrics at ", StartTimeout);
            var workerMetrics = new Uri(Regex.Match(metricsLine, @"http://127\.0\.0\.1:\d+").Value + "/metrics");
            Assert.True(await AppliedMigrationsAsync(connection) > 0, $"The worker applied no migrations to the test database. Output:{Environment.NewLine}{worker.Output}");

            server = Launch(Prepare(Server), app);
            var banner = await server.WaitForOutputAsync("TaskFlow is running at", StartTimeout);
            var port = int.Parse(ListeningPort().Match(banner).Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.Contains("(API keys from TaskFlow:Server:ApiKeys)", banner);
            Assert.DoesNotContain("Overriding HTTP_PORTS", server.Output);

            // The healthchecks as Docker runs them: the compose file's, and the image's own.
            await AssertProbeAsync(0, _compose.HealthcheckTest(Server)!, port, composeDatabase, test);
            await AssertProbeAsync(0, DockerfileTests.HealthcheckCommand(_dockerfile), port, composeDatabase, test);
            await AssertProbeAsync(0, _compose.HealthcheckTest(Worker)!, port, composeDatabase, test);

            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(90) };
            using (var ready = await http.GetAsync("/health/ready"))
            {
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            }

            using (var anonymous = await http.GetAsync("/metrics"))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            }

            // A workflow through the API, with the key from the .env file.
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", variables["TASKFLOW_API_KEY"]);
            using (var saved = await http.PostAsync("/api/definitions", TaskFlowApp.JsonBody(Samples.Read("parallel-fan-out"))))
            {
                Assert.True(saved.StatusCode == HttpStatusCode.Created, await saved.Content.ReadAsStringAsync());
            }

            using (var run = await http.PostAsync("/api/definitions/parallel-fan-out/run?wait=true&timeout=60", TaskFlowApp.JsonBody("""{ "input": { "text": "Compose" } }""")))
            {
                var body = await run.Content.ReadAsStringAsync();
                Assert.True(run.StatusCode == HttpStatusCode.OK, body);
                var instance = JsonNode.Parse(body)!;
                Assert.Equal("Succeeded", (string?)instance["status"]);
                Assert.Equal("COMPOSE", (string?)instance["output"]!["upper"]);
            }

            // Prometheus's scrape: the key read back from its credentials file, whitespace trimmed.
            var credentials = Path.Combine(root, "taskflow-api-key");
            await File.WriteAllTextAsync(credentials, variables["TASKFLOW_API_KEY"] + "\n");
            using (var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics"))
            {
                scrape.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(credentials)).Trim());
                using var metrics = await http.SendAsync(scrape);
                Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
                Assert.Contains("taskflow_engine_instances_started", await metrics.Content.ReadAsStringAsync());
            }

            // And the worker's: the same key, the same metrics.
            using (var plain = new HttpClient())
            using (var anonymous = await plain.GetAsync(workerMetrics))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
            }

            using (var scrape = new HttpRequestMessage(HttpMethod.Get, workerMetrics))
            {
                scrape.Headers.Authorization = new AuthenticationHeaderValue("Bearer", (await File.ReadAllTextAsync(credentials)).Trim());
                using var metrics = await http.SendAsync(scrape);
                Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
                var text = await metrics.Content.ReadAsStringAsync();
                Assert.Contains("taskflow_engine_worker_utilization", text);
                Assert.Contains("taskflow_process_memory_limit_bytes", text);
            }

            // `docker stop`: SIGTERM, and both end cleanly well within the services' stop_grace_period.
            Assert.Equal(0, await server.StopAsync(TimeSpan.FromSeconds(25)));
            Assert.Equal(0, await worker.StopAsync(TimeSpan.FromSeconds(25)));
            await AssertProbeAsync(1, _compose.HealthcheckTest(Server)!, port, composeDatabase, test);

            // Nothing was written to the working folder, which is read-only to the image's user,
            // nor to the SQLite folder, which PostgreSQL makes unnecessary.
            Assert.Empty(Directory.EnumerateFileSystemEntries(app));
            Assert.Empty(Directory.EnumerateFileSystemEntries(data));
        }
        finally
        {
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            if (worker is not null)
            {
                await worker.DisposeAsync();
            }

            await drop();
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>What docker/.env holds: the three secrets, random as `openssl rand -hex` makes them.</summary>
    private static Dictionary<string, string> EnvFile() => new(StringComparer.Ordinal)
    {
        ["POSTGRES_PASSWORD"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24)),
        ["TASKFLOW_API_KEY"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
        ["GRAFANA_ADMIN_PASSWORD"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
    };

    /// <summary>The port the server listens on inside the container (the Dockerfile's TaskFlow__Server__Urls).</summary>
    private int ListenPort() => new Uri(_dockerfile.Final.Environment()["TaskFlow__Server__Urls"]).Port;

    /// <summary>
    /// ENTRYPOINT ["dotnet", "taskflow.dll"] with the service's command. The dll is the build
    /// output beside the tests, or the folder in TASKFLOW_TEST_APP_DIR, e.g. the output of the
    /// Dockerfile's own `dotnet publish src/TaskFlow.Server -c Release -o DIR`.
    /// </summary>
    private static TaskFlowProcess Launch(ContainerProcess container, string workingDirectory)
    {
        var (program, dll) = container.Entrypoint is [var p, var d] ? (p, d) : throw new Xunit.Sdk.XunitException($"Unexpected ENTRYPOINT {string.Join(' ', container.Entrypoint)}");
        var folder = Environment.GetEnvironmentVariable("TASKFLOW_TEST_APP_DIR") is { Length: > 0 } published ? published : AppContext.BaseDirectory;
        var path = Path.Combine(folder, dll);
        Assert.True(File.Exists(path), $"{path} does not exist.");
        return TaskFlowProcess.Start(program, [path, .. container.Command], container.Environment, workingDirectory);
    }

    private static async Task<long> AppliedMigrationsAsync(string connection)
    {
        await using var db = new NpgsqlConnection(connection);
        await db.OpenAsync();
        await using var count = new NpgsqlCommand("""SELECT count(*) FROM "__EFMigrationsHistory" """, db);
        try
        {
            return (long)(await count.ExecuteScalarAsync())!;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            return 0;
        }
    }

    /// <summary>
    /// Runs a healthcheck command (<c>["CMD", "taskflow-probe", ...]</c> from compose, or the
    /// HEALTHCHECK's <c>["taskflow-probe", ...]</c>) with the script the image installs under that
    /// name. The server's port is chosen at start here, and the database is the test one.
    /// </summary>
    private async Task AssertProbeAsync(int expectedExitCode, IReadOnlyList<string> command, int port, NpgsqlConnectionStringBuilder composeDatabase, NpgsqlConnectionStringBuilder test)
    {
        var words = command[0] == "CMD" ? command.Skip(1).ToList() : [.. command];
        Assert.True(DockerfileTests.ImageFiles(_dockerfile).TryGetValue(words[0], out var script), $"The image installs no '{words[0]}'.");
        var arguments = words.Skip(1).ToList();
        switch (arguments)
        {
            case ["http", _]:
                arguments.Add(port.ToString(CultureInfo.InvariantCulture));
                break;
            case ["tcp", var host, var databasePort]:
                Assert.Equal(composeDatabase.Host, host);
                Assert.Equal(composeDatabase.Port.ToString(CultureInfo.InvariantCulture), databasePort);
                arguments = ["tcp", test.Host!, test.Port.ToString(CultureInfo.InvariantCulture)];
                break;
            default:
                throw new Xunit.Sdk.XunitException($"Unexpected probe arguments: {string.Join(' ', arguments)}");
        }

        var start = new ProcessStartInfo("bash") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(DeploymentFiles.InRepository(script.Split('/')));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // Docker retries a failing healthcheck (the compose file allows 3 retries after a start
        // period) before it calls a container unhealthy; a probe expected to pass gets the same
        // chances, since a server's first request after start can be slow on a loaded machine.
        var attempts = expectedExitCode == 0 ? 3 : 1;
        for (var attempt = 1; ; attempt++)
        {
            using var probe = Process.Start(start)!;
            var stderr = probe.StandardError.ReadToEndAsync();
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await probe.WaitForExitAsync(cancel.Token);
            if (probe.ExitCode == expectedExitCode || attempt == attempts)
            {
                Assert.True(probe.ExitCode == expectedExitCode, $"{string.Join(' ', command)} (run as {script} {string.Join(' ', arguments)}) exited {probe.ExitCode}, expected {expectedExitCode}, in {attempt} attempt(s): {await stderr}");
                return;
            }

            await Task.Delay(TimeSpan.FromSeconds(1));
        }
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:(\d+)/")]
    private static partial Regex ListeningPort();
}
