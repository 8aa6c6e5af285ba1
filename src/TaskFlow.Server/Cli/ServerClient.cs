using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TaskFlow.Server.Cli;

/// <summary>Talks to a running TaskFlow server for the <c>instances</c> commands.</summary>
internal sealed class ServerClient(HttpClient http) : IDisposable
{
    public static ServerClient Create(string server, string? key)
    {
        var http = new HttpClient { BaseAddress = new Uri(server.TrimEnd('/') + "/"), Timeout = TimeSpan.FromSeconds(100) };
        if (!string.IsNullOrWhiteSpace(key))
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key.Trim());
        }

        return new ServerClient(http);
    }

    /// <summary>The parsed answer, or an error line from the problem details (or the status) when the server refused.</summary>
    public Task<(JsonNode? Body, string? Error)> SendAsync(HttpMethod method, string path, CancellationToken cancellationToken) =>
        SendAsync(method, path, null, cancellationToken);

    /// <summary>As above, with <paramref name="content"/> sent as the JSON body when given.</summary>
    public async Task<(JsonNode? Body, string? Error)> SendAsync(HttpMethod method, string path, JsonNode? content, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            using var request = new HttpRequestMessage(method, path);
            if (content is not null)
            {
                request.Content = new StringContent(content.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
            }

            response = await http.SendAsync(request, cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            return (null, $"Could not reach the server at {http.BaseAddress}: {ex.Message} Start one with `taskflow serve`, or pass --server / TASKFLOW_URL.");
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            JsonNode? body = null;
            try
            {
                body = text.Length == 0 ? null : JsonNode.Parse(text);
            }
            catch (JsonException)
            {
            }

            if (response.IsSuccessStatusCode)
            {
                return (body, null);
            }

            var detail = body?["detail"]?.GetValue<string>() ?? body?["title"]?.GetValue<string>() ?? text;
            return (null, $"{(int)response.StatusCode} {response.ReasonPhrase}: {detail}");
        }
    }

    public void Dispose() => http.Dispose();
}
