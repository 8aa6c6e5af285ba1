using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using TaskFlow.Core.Model;

namespace TaskFlow.Core.Import;

/// <summary>Elsa's HTTP activities: HttpEndpoint, WriteHttpResponse, SendHttpRequest and FlowSendHttpRequest.</summary>
internal sealed partial class ElsaConversion
{
    private const string HttpRespond = "http.respond";
    private const string HttpRequest = "http.request";
    private const string ErrorPort = "error";

    private static readonly string[] TriggerMethods = ["GET", "POST", "PUT", "PATCH", "DELETE"];

    // Elsa's FlowSendHttpRequest ports besides the expected status codes; all of them are failures of the TaskFlow node.
    private static readonly string[] HttpFailurePorts = ["Unmatched status code", "Failed to connect", "Timeout"];

    //   POST /workflows/<path> ──> HttpEndpoint (noop) ──> set-<variable> (parsed body, route, query, headers) ──> ...
    private ElsaFragment? ConvertHttpEndpoint(JsonObject activity, string id, string? type, string prefix, bool canTrigger)
    {
        if (!canTrigger)
        {
            Problem(id, type,
                "An HttpEndpoint after other activities makes the running workflow wait for a request to its path; TaskFlow serves HTTP requests only as " +
                "triggers that start a workflow. Make the HttpEndpoint the first activity, or wait for an Event (POST /api/events/{name}) at this point instead.");
            return null;
        }

        var path = Property(activity, "path");
        var route = path is not null && path.Is(ElsaExpression.Literal) ? path.Text.Trim().Trim('/') : null;
        if (string.IsNullOrEmpty(route))
        {
            Problem(id, type, path is null ? "It has no path." : $"Its path {Excerpt(path.Text)} is not literal text; TaskFlow serves a fixed path such as 'orders/{{id}}'.");
            return null;
        }

        var methods = HttpMethods(Property(activity, "supportedMethods") ?? Property(activity, "method"));
        var unsupported = methods.Where(m => !TriggerMethods.Contains(m)).ToList();
        if (unsupported.Count > 0)
        {
            Problem(id, type, $"It accepts {string.Join(", ", unsupported)}; TaskFlow's http triggers take {string.Join(", ", TriggerMethods)}.");
            return null;
        }

        // Elsa's authorize flag off (its default) means anyone may call the endpoint: TaskFlow's auth "none".
        var authorize = Property(activity, "authorize") is { } flag && flag.Is(ElsaExpression.Literal) && ElsaJson.Boolean(flag.Value) == true;
        _triggers.Add(new TriggerDefinition { Type = "http", Path = route, Methods = methods, Auth = authorize ? "apiKey" : "none" });
        if (!authorize)
        {
            Note(id, type, $"the endpoint '{route}' does not require authorization in Elsa, so its TaskFlow http trigger has auth 'none': anyone who can reach the server can start the workflow.");
        }

        var node = AddNode(activity, prefix, Noop);
        return BindOutputs(activity, prefix, ElsaFragment.Single(node.Id),
            [("parsedContent", "input.body"), ("routeData", "input.route"), ("queryStringData", "input.query"), ("headers", "input.headers"), ("result", "input")]);
    }

    private ElsaFragment? ConvertWriteHttpResponse(JsonObject activity, string id, string? type, string prefix)
    {
        var inputs = new JsonObject();
        if (Property(activity, "statusCode") is { } status)
        {
            if (!status.Is(ElsaExpression.Literal) || StatusCode(status.Value) is not { } code)
            {
                Problem(id, type, $"Its status code {Excerpt(status.Text)} is not a literal HTTP status (such as OK or 201).");
                return null;
            }

            inputs["status"] = (long)code;
        }

        if (!RequireValue(Property(activity, "content"), ValueShape.Any, id, type, "content", out var body)
            || !RequireValue(Property(activity, "contentType"), ValueShape.Text, id, type, "content type", out var contentType))
        {
            return null;
        }

        if (body is not null)
        {
            inputs["body"] = body;
        }

        if (contentType is JsonValue && ElsaJson.String(contentType) is { Length: > 0 })
        {
            inputs["contentType"] = contentType;
        }

        if (Headers(Property(activity, "responseHeaders")) is { Count: > 0 } headers)
        {
            inputs["headers"] = headers;
        }

        return ElsaFragment.Single(AddNode(activity, prefix, HttpRespond, inputs).Id);
    }

    //   FlowSendHttpRequest ──[status == 200]──> ...      one edge per expected status code
    //                       ──error──> ...                 Unmatched status code, Failed to connect, Timeout
    private ElsaFragment? ConvertSendHttpRequest(JsonObject activity, string id, string? type, string prefix, bool flow)
    {
        var url = Property(activity, "url");
        if (url is null)
        {
            Problem(id, type, "It has no URL.");
            return null;
        }

        if (!RequireValue(url, ValueShape.Text, id, type, "URL", out var urlValue)
            || !RequireValue(Property(activity, "method"), ValueShape.Text, id, type, "method", out var method)
            || !RequireValue(Property(activity, "content"), ValueShape.Any, id, type, "content", out var body)
            || !RequireValue(Property(activity, "contentType"), ValueShape.Text, id, type, "content type", out var contentType))
        {
            return null;
        }

        var inputs = new JsonObject { ["url"] = urlValue, ["method"] = method ?? "GET" };
        if (body is not null)
        {
            inputs["body"] = body;
        }

        if (contentType is JsonValue && ElsaJson.String(contentType) is { Length: > 0 })
        {
            inputs["contentType"] = contentType;
        }

        var headers = Headers(Property(activity, "requestHeaders")) ?? [];
        if (Property(activity, "authorization") is { } authorization)
        {
            if (!RequireValue(authorization, ValueShape.Text, id, type, "authorization", out var value))
            {
                return null;
            }

            headers["Authorization"] = value;
        }

        if (headers.Count > 0)
        {
            inputs["headers"] = headers;
        }

        var expected = flow ? StatusCodes(Property(activity, "expectedStatusCodes")) : [];
        if (expected is null)
        {
            Problem(id, type, "Its expected status codes are not a literal list of numbers such as [200, 404].");
            return null;
        }

        if (expected.Count > 0)
        {
            inputs["expectStatus"] = new JsonArray(expected.Select(c => (JsonNode)(long)c).ToArray());
        }
        else
        {
            Note(id, type, "Elsa finishes the request whatever its status; the TaskFlow http.request node fails on a status other than 2xx unless expectStatus lists it.");
        }

        var node = AddNode(activity, prefix, HttpRequest, inputs);
        foreach (var code in expected)
        {
            AddPort(node.Id, code.ToString(CultureInfo.InvariantCulture), $"{NodeOutput(node.Id, "status")} == {code}");
        }

        foreach (var port in HttpFailurePorts)
        {
            AddPort(node.Id, port, null, ErrorPort);
        }

        if (flow)
        {
            AddPort(node.Id, DonePort, null);
        }

        return BindOutputs(activity, prefix, ElsaFragment.Single(node.Id),
            [("parsedContent", NodeOutput(node.Id, "body")), ("statusCode", NodeOutput(node.Id, "status")), ("responseHeaders", NodeOutput(node.Id, "headers")), ("result", NodeOutput(node.Id))]);
    }

    /// <summary>Upper-case methods from a list (JSON text or array) or a single method; Elsa's default is GET.</summary>
    private static List<string> HttpMethods(ElsaExpression? expression)
    {
        if (expression is null)
        {
            return ["GET"];
        }

        var value = ElsaJson.String(expression.Value) is { } text ? ElsaValues.TryParseJson(text) ?? JsonValue.Create(text) : expression.Value;
        var methods = value is JsonArray list ? list.Select(ElsaJson.String).OfType<string>() : ElsaJson.String(value) is { } one ? [one] : [];
        var result = methods.Select(m => m.Trim().ToUpperInvariant()).Where(m => m.Length > 0).Distinct().ToList();
        return result.Count == 0 ? ["GET"] : result;
    }

    /// <summary>An HTTP status from a number or an <see cref="HttpStatusCode"/> name such as "OK".</summary>
    private static int? StatusCode(JsonNode? value)
    {
        if (value is JsonValue number && number.TryGetValue<int>(out var n))
        {
            return n is >= 100 and <= 599 ? n : null;
        }

        var text = ElsaJson.String(value)?.Trim();
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed is >= 100 and <= 599 ? parsed : null;
        }

        return text is { Length: > 0 } && Enum.TryParse<HttpStatusCode>(text, ignoreCase: true, out var code) && !int.TryParse(text, out _) ? (int)code : null;
    }

    private static List<int>? StatusCodes(ElsaExpression? expression)
    {
        if (expression is null)
        {
            return [];
        }

        var value = ElsaJson.String(expression.Value) is { } text ? ElsaValues.TryParseJson(text) : expression.Value;
        if (value is not JsonArray list)
        {
            return null;
        }

        var codes = list.Select(StatusCode).ToList();
        return codes.Any(c => c is null) ? null : codes.Select(c => c!.Value).Distinct().ToList();
    }

    /// <summary>Elsa's HttpHeaders (name → list of values, as JSON text or an object) as TaskFlow headers (name → value).</summary>
    private static JsonObject? Headers(ElsaExpression? expression)
    {
        if (expression is null || !(expression.Is(ElsaExpression.Literal) || expression.Is(ElsaExpression.Object)))
        {
            return null;
        }

        var value = ElsaJson.String(expression.Value) is { } text ? ElsaValues.TryParseJson(text) : expression.Value;
        if (value is not JsonObject headers)
        {
            return null;
        }

        var result = new JsonObject();
        foreach (var (name, header) in headers)
        {
            var text2 = header is JsonArray values ? string.Join(", ", values.Select(ElsaJson.String).OfType<string>()) : ElsaJson.String(header);
            if (text2 is not null)
            {
                result[name] = ElsaJson.EscapeTemplate(text2);
            }
        }

        return result;
    }
}
