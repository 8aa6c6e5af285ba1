using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using TaskFlow.Chaos.Harness;
using TaskFlow.Core.Serialization;

namespace TaskFlow.Chaos.Tests.Fuzz;

/// <summary>
/// The crashes and server errors the fuzzers found, kept as cases: each failed before its fix
/// (a NullReferenceException or ArgumentNullException out of validation; an empty 500 from the
/// server) and must now be refused with the problem named.
/// </summary>
public sealed class FoundCasesTests
{
    private const string Key = "chaos-found-cases-key-0123456789";

    [Theory]
    [InlineData("""{"id":"a","nodes":[null,{"id":"n","type":"noop"}],"edges":[]}""", "$.nodes[0]")]
    [InlineData("""{"id":"a","nodes":null,"edges":[]}""", "$.nodes")]
    [InlineData("""{"id":"a","nodes":[{"id":"n","type":"noop"}],"edges":[{"from":null,"to":"n"}]}""", "$.edges[0].from")]
    [InlineData("""{"id":"a","nodes":[{"id":"n","type":"noop","inputs":null}],"edges":[]}""", "$.nodes[0].inputs")]
    [InlineData("""{"id":"a","nodes":[{"id":"n","type":"noop"}],"edges":[null]}""", "$.edges[0]")]
    public void TryParse_NullWhereAValueIsRequired_RefusedNamingThePath(string json, string path)
    {
        var definition = WorkflowJson.TryParse(json, out var problem);

        Assert.Null(definition);
        Assert.NotNull(problem);
        Assert.Equal("json.null-member", problem.Code);
        Assert.Equal(path, problem.Target);
        Assert.Contains(path, problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_SeveralNulls_ListsEveryPath()
    {
        WorkflowJson.TryParse("""{"id":"a","nodes":[null],"edges":[{"from":"x","to":null}]}""", out var problem);

        Assert.NotNull(problem);
        Assert.Contains("$.nodes[0], $.edges[0].to are null", problem.Message, StringComparison.Ordinal);
    }

    // Before: "factor": "NaN" passed validation (NaN is neither < 1 nor > 10) and saving the
    // definition then failed to write it back as JSON.
    [Fact]
    public void Validate_RetryFactorNaN_RefusedAsInvalidRetry()
    {
        var validator = new Core.Validation.WorkflowValidator(Core.Activities.BuiltInActivities.Descriptors.ToDictionary(d => d.Type), new Core.Validation.WorkflowLimits());

        var problems = validator.Validate("""{"id":"a","nodes":[{"id":"n","type":"noop","retry":{"maxAttempts":2,"factor":"NaN"}}],"edges":[]}""", out _);

        Assert.Contains(problems, p => p.Code == "node.retry.invalid" && p.Message.Contains("retry.factor NaN", StringComparison.Ordinal));
    }

    // Before: the status-code page and the exception handler found no problem writer for a client
    // that accepts no JSON, and every refusal became an empty 500.
    [Theory]
    [InlineData("GET", "/api/instances?take=abc", HttpStatusCode.BadRequest, "take")]
    [InlineData("POST", "/api/instances//cancel", HttpStatusCode.NotFound, "Not Found")]
    [InlineData("GET", "/api/definitions/no-such-definition", HttpStatusCode.NotFound, "no-such-definition")]
    public async Task Server_ClientAcceptsNoJson_RefusalStillExplainsItself(string method, string path, HttpStatusCode expected, string mentioned)
    {
        await using var server = await ServerProcess.StartAsync(Key);
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        foreach (var accept in new[] { "text/event-stream", "application/xml;q=0.1, */*;q=0" })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), path);
            request.Headers.Add("X-Api-Key", Key);
            request.Headers.TryAddWithoutValidation("Accept", accept);

            using var response = await http.SendAsync(request);

            Assert.Equal(expected, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal((int)expected, problem["status"]!.GetValue<int>());
            Assert.Contains(mentioned, problem.ToJsonString(), StringComparison.Ordinal);
        }
    }

    // Before: the JSON body reader's InvalidOperationException for an unknown charset became a 500.
    [Fact]
    public async Task Server_BodyWithUnknownCharset_415NamingTheCharset()
    {
        await using var server = await ServerProcess.StartAsync(Key);
        using var http = new HttpClient { BaseAddress = new Uri(server.Url) };
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/mcp/rollouts")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"rollouts":[{"server":"a","percent":50}]}""")),
        };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=nonsense");
        request.Headers.Add("X-Api-Key", Key);

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Contains("'nonsense'", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }
}
