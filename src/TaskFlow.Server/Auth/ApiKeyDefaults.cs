namespace TaskFlow.Server.Auth;

internal static class ApiKeyDefaults
{
    public const string Scheme = "ApiKey";
    public const string Header = "X-Api-Key";

    /// <summary>Set from <c>?key=</c> so a browser opened on the printed URL stays signed in.</summary>
    public const string Cookie = "taskflow_key";
    public const string Query = "key";
}
