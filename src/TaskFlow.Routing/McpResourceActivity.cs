using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using TaskFlow.Core.Activities;
using TaskFlow.Engine.Activities;
using TaskFlow.Routing.Gateway;

namespace TaskFlow.Routing;

/// <summary>
/// <c>mcp.resource</c>: reads a resource of the fleet by its URI, from the server that lists it (or
/// whose resource template the URI fits), as the gateway's <c>resources/read</c> does. A URI no
/// server has fails the node for good; a server that cannot be reached fails it retryably.
/// </summary>
[Activity("mcp.resource", Category = "MCP", Description = "Reads an MCP resource of the fleet by URI. Output: { uri, contents: [ { uri, mimeType, text | blob } ], text }.")]
public sealed class McpResourceActivity(McpGateway gateway) : Activity<McpResourceActivity.Inputs>
{
    protected override async ValueTask<ActivityResult> ExecuteAsync(Inputs inputs, ActivityContext context)
    {
        ReadResourceResult result;
        try
        {
            result = await gateway.ReadResourceAsync(new ReadResourceRequestParams { Uri = inputs.Uri }, context.CancellationToken);
        }
        catch (McpProtocolException ex) when (ex.ErrorCode is McpErrorCode.ResourceNotFound or McpErrorCode.InvalidParams)
        {
            return ActivityResult.Failed(ex.Message, retryable: false);
        }
        catch (McpProtocolException ex)
        {
            return ActivityResult.Failed($"Reading resource '{inputs.Uri}' failed: {ex.Message}", retryable: true);
        }

        var contents = new JsonArray();
        foreach (var content in result.Contents)
        {
            var item = new JsonObject { ["uri"] = content.Uri, ["mimeType"] = content.MimeType };
            switch (content)
            {
                case TextResourceContents text:
                    item["text"] = text.Text;
                    break;
                case BlobResourceContents blob:
                    item["blob"] = System.Text.Encoding.UTF8.GetString(blob.Blob.Span);
                    break;
            }

            contents.Add(item);
        }

        return ActivityResult.Succeeded(new JsonObject
        {
            ["uri"] = inputs.Uri,
            ["contents"] = contents,
            ["text"] = string.Join("\n", result.Contents.OfType<TextResourceContents>().Select(t => t.Text)),
        });
    }

    public sealed class Inputs
    {
        [Required]
        [Description("The resource's URI, as the gateway lists it (or one that fits a server's resource template); may be a template.")]
        public string Uri { get; set; } = "";
    }
}
