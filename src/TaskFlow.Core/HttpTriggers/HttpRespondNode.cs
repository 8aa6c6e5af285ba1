namespace TaskFlow.Core.HttpTriggers;

/// <summary>The activity that answers an http trigger's caller; its type is known to validation and to the server that waits for it.</summary>
public static class HttpRespondNode
{
    public const string Type = "http.respond";
}
