using System.Security.Cryptography;

namespace TaskFlow.Server.Auth;

/// <summary>
/// The key of a server started without configured keys: generated on the first start into
/// <c>DATA_DIR/api-key</c>, readable by its owner only (mode 600), and read back on later starts.
/// As with Jupyter's token, whoever can read the data folder can use the server.
/// </summary>
internal static class EmbeddedApiKey
{
    public const string FileName = "api-key";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static string PathIn(string dataDirectory) => Path.Combine(Path.GetFullPath(dataDirectory), FileName);

    /// <summary>Reads the key file, creating it with a new 256-bit key when it does not exist. Created is true for a new key.</summary>
    public static (string Key, bool Created) LoadOrCreate(string dataDirectory)
    {
        var path = PathIn(dataDirectory);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        try
        {
            // CreateNew: two servers starting on one folder at once cannot both write a key;
            // the loser reads the winner's. The mode is set at creation, never world-readable.
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = OwnerOnly;
            }

            using (var stream = new FileStream(path, options))
            using (var writer = new StreamWriter(stream))
            {
                writer.WriteLine(key);
            }

            return (key, true);
        }
        catch (IOException) when (File.Exists(path))
        {
            if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(path) & ~OwnerOnly) != 0)
            {
                File.SetUnixFileMode(path, OwnerOnly);
            }

            var existing = File.ReadAllText(path).Trim();
            return existing.Length >= 16
                ? (existing, false)
                : throw new InvalidOperationException($"The API key file {path} holds no usable key (16 characters or more). Delete it to generate a new one, or configure TaskFlow:Server:ApiKeys.");
        }
    }
}
