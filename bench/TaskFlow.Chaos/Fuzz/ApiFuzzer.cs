using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using TaskFlow.Chaos.Harness;

namespace TaskFlow.Chaos.Fuzz;

/// <summary>
/// The REST API fuzzed on a real <c>taskflow serve</c> (Kestrel on 127.0.0.1, a free port, SQLite in a
/// fresh folder): random routes with random ids, bodies (mutated valid bodies, random JSON, not
/// JSON, empty, a megabyte), content types, headers and keys. No answer may be a 5xx, every 400 must
/// say what is wrong in its body, and the server must still answer afterwards.
/// </summary>
public static class ApiFuzzer
{
    private const string Key = "chaos-fuzz-key-0123456789abcdef";

    private static readonly (string Method, string Path, string Body)[] Routes =
    [
        ("POST", "/api/definitions", "definition"),
        ("PUT", "/api/definitions/{id}", "definition"),
        ("POST", "/api/validate", "definition"),
        ("POST", "/api/definitions/{id}/run", """{"input":{"text":"hi","n":3},"correlationId":"c-1"}"""),
        ("POST", "/api/definitions/{id}/publish", ""),
        ("DELETE", "/api/definitions/{id}", ""),
        ("GET", "/api/definitions/{id}", ""),
        ("GET", "/api/definitions/{id}/versions", ""),
        ("GET", "/api/definitions", ""),
        ("POST", "/api/definitions/import/elsa", "elsa"),
        ("GET", "/api/instances?status={q}&take={q}&skip={q}&definition={id}&createdAfter={q}&search={q}&cursor={q}", ""),
        ("GET", "/api/instances/{id}", ""),
        ("GET", "/api/instances/{id}/journal?after={q}", ""),
        ("POST", "/api/instances/{id}/cancel", ""),
        ("POST", "/api/instances/{id}/nodes/{id}/retry", ""),
        ("POST", "/api/instances/bulk/{kind}", """{"filter":{"status":"Running","definition":"x"},"ids":["a"]}"""),
        ("GET", "/api/instances/bulk/{id}", ""),
        ("POST", "/api/events/{id}", """{"correlation":"c-1","payload":{"ok":true}}"""),
        ("GET", "/api/events/waiting", ""),
        ("POST", "/api/resume/{id}", """{"ok":true}"""),
        ("GET", "/api/approvals?assignee={q}", ""),
        ("POST", "/api/approvals/{id}", """{"decision":"approve","comment":"fine"}"""),
        ("GET", "/api/agent-tasks?take={q}", ""),
        ("POST", "/api/agent-tasks/{id}/claim", """{"agent":"a","leaseSeconds":30}"""),
        ("POST", "/api/agent-tasks/{id}/complete", """{"token":"t","output":{"x":1}}"""),
        ("POST", "/api/decompose", """{"task":{"description":"1. fetch data 2. clean it 3. report"},"strategy":"sequential"}"""),
        ("GET", "/api/audit?since={q}&take={q}&before={q}", ""),
        ("GET", "/api/activities", ""),
        ("GET", "/api/workspaces/{id}", ""),
        ("PUT", "/api/mcp/rollouts", """{"rollouts":[{"server":"a","percent":50}]}"""),
    ];

    private static readonly string[] Ids = ["parallel-fan-out", "conditional-branch", "x", "", "..", "%2e%2e%2f", "a%00b", "%FF%FE", new string('a', 3000), "Running", "approve", "cancel", "delete", "retry", "0", "-1", "😀", "a b"];

    private static readonly string[] Queries = ["", "0", "-1", "2147483648", "abc", "2026-13-45", "%", "%25", "Running", "1e9", new string('9', 400), "null", "true"];

    private static readonly string?[] ContentTypes =
    [
        "application/json", "application/json", "application/json; charset=utf-8", "text/plain", null, "application/xml",
        "multipart/form-data; boundary=xyz", "application/x-www-form-urlencoded", "application/json; charset=utf-16", "application/problem+json", "*/*", "application/json; charset=nonsense",
    ];

    public static async Task<FuzzFigures> RunAsync(int cases, int seed)
    {
        var figures = new FuzzFigures("fuzz-rest-api", seed);
        var random = new Random(seed);
        var mutator = new JsonMutator(random);
        var definitions = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "workflows"), "*.json").Select(File.ReadAllText).ToArray();
        var elsa = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "tests", "TaskFlow.Core.Tests", "Import", "Elsa"), "*.json").Select(File.ReadAllText).ToArray();
        await using var server = await ServerProcess.StartAsync(Key);
        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(server.Url), Timeout = TimeSpan.FromSeconds(60) };

        // A few real definitions first, so that ids in the routes also hit stored things.
        foreach (var definition in definitions)
        {
            using var save = new HttpRequestMessage(HttpMethod.Post, "/api/definitions") { Content = new StringContent(definition, Encoding.UTF8, "application/json") };
            save.Headers.Add("X-Api-Key", Key);
            (await http.SendAsync(save)).Dispose();
        }

        var clock = Stopwatch.StartNew();
        for (var i = 0; i < cases; i++)
        {
            var (method, template, bodyKind) = Routes[random.Next(Routes.Length)];
            var path = Fill(template, random);
            var body = bodyKind switch
            {
                "definition" => Body(random, mutator, definitions[random.Next(definitions.Length)]),
                "elsa" => Body(random, mutator, elsa[random.Next(elsa.Length)]),
                "" => random.Next(4) == 0 ? Body(random, mutator, "{}") : null,
                _ => Body(random, mutator, bodyKind),
            };
            using var request = new HttpRequestMessage(new HttpMethod(random.Next(30) == 0 ? "PATCH" : method), path);
            if (body is not null)
            {
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
                var type = ContentTypes[random.Next(ContentTypes.Length)];
                if (type is not null)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
                }

                if (random.Next(20) == 0)
                {
                    request.Content.Headers.TryAddWithoutValidation("Content-Encoding", "gzip");
                }
            }

            switch (random.Next(12))
            {
                case 0: break;
                case 1: request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Key); break;
                case 2: request.Headers.TryAddWithoutValidation("X-Api-Key", Key + "x"); break;
                case 3: request.Headers.TryAddWithoutValidation("X-Api-Key", new string('k', 10_000)); break;
                default: request.Headers.TryAddWithoutValidation("X-Api-Key", Key); break;
            }

            if (random.Next(6) == 0)
            {
                request.Headers.TryAddWithoutValidation("Accept", random.Next(2) == 0 ? "text/event-stream" : "application/xml;q=0.1, */*;q=0");
            }

            if (random.Next(10) == 0)
            {
                request.Headers.TryAddWithoutValidation("Idempotency-Key", mutator.RandomValue(0)?.ToJsonString() ?? "");
            }

            figures.Cases++;
            var described = $"{request.Method} {path} [{request.Content?.Headers.ContentType}] {body}";
            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                var status = (int)response.StatusCode;
                if (status >= 500)
                {
                    figures.Fail($"{status} {response.StatusCode}: {await ReadSomeAsync(response)}", described);
                }
                else if (status < 400)
                {
                    figures.Accepted++;
                }
                else
                {
                    figures.Rejected++;
                    // Kestrel refuses some requests (a NUL in the path) before any application code
                    // runs, with an empty 400 and a closed connection: counted, not failed.
                    if (status == 400 && response.Headers.ConnectionClose == true && response.Content.Headers.ContentLength == 0)
                    {
                        figures.Notes["refused by Kestrel"] = (int.Parse(figures.Notes.GetValueOrDefault("refused by Kestrel", "0"), System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    }
                    else if (status == 400 && string.IsNullOrWhiteSpace(await ReadSomeAsync(response)))
                    {
                        figures.Fail("400 with an empty body: the rejection does not name the problem", described);
                    }
                }
            }
            catch (TaskCanceledException)
            {
                figures.Fail("no answer within 60 s", described);
            }
            catch (HttpRequestException) when (path.Contains("%00", StringComparison.Ordinal))
            {
                // Kestrel refused the path and closed the connection while a large body was still
                // being sent: the same refusal as the empty 400, seen from the client's side.
                figures.Rejected++;
                figures.Notes["refused by Kestrel"] = (int.Parse(figures.Notes.GetValueOrDefault("refused by Kestrel", "0"), System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            catch (HttpRequestException ex)
            {
                figures.Fail($"the connection failed: {ex.Message}", described);
            }
        }

        using var health = await http.GetAsync("/health");
        if (health.StatusCode != HttpStatusCode.OK)
        {
            figures.Fail($"/health answered {(int)health.StatusCode} after the fuzzing", "GET /health");
        }

        // What the server logged as failures says why: first in the list.
        var lines = server.Output.Split(Environment.NewLine);
        var logged = lines.Select((line, index) => (line, index)).Where(p => p.line.StartsWith("fail:", StringComparison.Ordinal)).Take(10)
            .Select(p => string.Join(" | ", lines.Skip(p.index).Take(4).Select(l => l.Trim()))).ToList();
        figures.Failures.InsertRange(0, logged.Select(l => "the server logged: " + l));

        figures.Elapsed = clock.Elapsed;
        return figures;
    }

    private static string? Body(Random random, JsonMutator mutator, string valid) => random.Next(12) switch
    {
        0 => "",
        1 => mutator.RandomDocument(),
        2 => "not json at all",
        3 => "{\"a\":" + new string('[', 2000),
        4 => "{\"x\":\"" + new string('y', 1_000_000) + "\"}",
        5 or 6 => valid,
        _ => mutator.Mutate(valid),
    };

    private static string Fill(string template, Random random)
    {
        var builder = new StringBuilder(template);
        while (builder.ToString().Contains("{id}", StringComparison.Ordinal))
        {
            var at = builder.ToString().IndexOf("{id}", StringComparison.Ordinal);
            builder.Remove(at, 4).Insert(at, Uri.EscapeDataString(Ids[random.Next(Ids.Length)]).Replace("%25", "%", StringComparison.Ordinal));
        }

        builder.Replace("{kind}", new[] { "cancel", "retry", "delete", "explode", "" }[random.Next(5)]);
        while (builder.ToString().Contains("{q}", StringComparison.Ordinal))
        {
            var at = builder.ToString().IndexOf("{q}", StringComparison.Ordinal);
            builder.Remove(at, 3).Insert(at, Uri.EscapeDataString(Queries[random.Next(Queries.Length)]));
        }

        return builder.ToString();
    }

    private static async Task<string> ReadSomeAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length > 300 ? text[..300] : text;
    }
}
