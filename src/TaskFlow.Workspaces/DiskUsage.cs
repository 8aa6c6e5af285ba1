namespace TaskFlow.Workspaces;

/// <summary>The bytes of files under a folder (links are not followed: what they point to is counted where it lives, if inside).</summary>
internal static class DiskUsage
{
    private static readonly EnumerationOptions Everything = new()
    {
        RecurseSubdirectories = true,
        IgnoreInaccessible = true,
        AttributesToSkip = FileAttributes.ReparsePoint,
        ReturnSpecialDirectories = false,
    };

    /// <summary>The total, or a figure above <paramref name="stopAbove"/> as soon as the count passes it (a filler's folder need not be walked to the end).</summary>
    public static long Measure(string folder, long stopAbove = long.MaxValue)
    {
        if (!Directory.Exists(folder))
        {
            return 0;
        }

        long total = 0;
        try
        {
            foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", Everything))
            {
                try
                {
                    total += file.Length;
                }
                catch (IOException)
                {
                    // Deleted while counting.
                }

                if (total > stopAbove)
                {
                    return total;
                }
            }
        }
        catch (DirectoryNotFoundException)
        {
            // Removed while counting.
        }

        return total;
    }
}
