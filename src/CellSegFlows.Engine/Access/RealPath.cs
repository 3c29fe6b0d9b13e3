namespace CellSegFlows.Engine.Access;

/// <summary>The path the kernel would open: every symbolic link along it followed, the parts that do not exist yet kept as written.</summary>
internal static class RealPath
{
    private const int MaxLinks = 40;   // the kernel's own limit (ELOOP)

    /// <summary>Resolves <paramref name="path"/> (absolute, without <c>..</c>) one component at a time.</summary>
    /// <exception cref="HostAccessException">A cycle of links, or more than 40 of them.</exception>
    public static string Of(string path)
    {
        var pending = new Queue<string>(Split(path));
        var current = Path.GetPathRoot(path) ?? "/";
        var links = 0;
        while (pending.TryDequeue(out var part))
        {
            var next = Path.Combine(current, part);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is not { } target)
            {
                current = next;
                continue;
            }

            if (++links > MaxLinks)
            {
                throw new HostAccessException(null, $"{path}: too many symbolic links");
            }

            // Re-walk the link's target (which may itself hold links and '..'), then what was left of the path.
            var resolved = Path.GetFullPath(target, current);
            var rest = pending.ToArray();
            pending = new Queue<string>(Split(resolved).Concat(rest));
            current = Path.GetPathRoot(resolved) ?? "/";
        }

        return current;
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="folder"/> or beneath it (both real paths).</summary>
    public static bool IsWithin(string path, string folder)
    {
        var root = folder.EndsWith(Path.DirectorySeparatorChar) ? folder : folder + Path.DirectorySeparatorChar;
        return path == folder || path.StartsWith(root, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Split(string path) =>
        path.Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
}
