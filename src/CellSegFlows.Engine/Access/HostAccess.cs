namespace CellSegFlows.Engine.Access;

/// <summary>How a step uses a host path.</summary>
public enum HostPathUse
{
    /// <summary>Reads it.</summary>
    Read,

    /// <summary>Writes into it (a folder; created when missing).</summary>
    Write,
}

/// <summary>
/// What a workflow may reach on the host: which folders (data roots) and which download origins. A workflow is data
/// written by an editor, so on a server or worker every path and source it names is checked here before use; the
/// CLI on a user's own machine runs <see cref="Unrestricted"/> (paths as given, relative to the current folder).
/// </summary>
/// <remarks>
/// Rules when restricted: a path may not contain <c>..</c>; a relative path is relative to the first root (the engine's
/// data folder) or to the folder input it is declared relative to; every symbolic link along the path is followed and
/// the real path must lie within a root (a writable root for writes). Downloads: http(s) only from an allowed origin
/// (scheme, host and port), <c>file://</c> and local folders only inside the roots. Whether a path exists does not change
/// the answer, so errors reveal nothing of the host beyond the roots.
/// </remarks>
public sealed class HostAccess
{
    private readonly (DataRoot Root, string Real)[] roots;
    private readonly Uri[] adminOrigins;

    private HostAccess(bool restricted, IEnumerable<DataRoot> roots, IEnumerable<Uri> publicOrigins, IEnumerable<Uri> adminOrigins)
    {
        IsRestricted = restricted;
        this.roots = roots.Select(Resolve).ToArray();
        this.adminOrigins = adminOrigins.Select(Origin).Distinct().ToArray();
        AllowedOrigins = publicOrigins.Select(Origin).Concat(this.adminOrigins).Distinct().ToArray();
    }

    // A step's policy: the engine's roots as already resolved, plus one (its work folder), without walking the others again.
    private HostAccess(HostAccess parent, DataRoot extra)
    {
        IsRestricted = parent.IsRestricted;
        roots = [.. parent.roots, Resolve(extra)];
        adminOrigins = parent.adminOrigins;
        AllowedOrigins = parent.AllowedOrigins;
    }

    /// <summary>No checks: paths and URLs as given (the CLI on a user's own machine).</summary>
    public static HostAccess Unrestricted { get; } = new(false, [], [], []);

    /// <summary>
    /// Only <paramref name="roots"/> (the first is the base of relative paths); downloads from
    /// <paramref name="publicOrigins"/> (built in, e.g. the dataset's official bucket: must resolve to public addresses)
    /// and <paramref name="adminOrigins"/> (configured by an admin, which may be on loopback or a private network).
    /// </summary>
    public static HostAccess Restricted(IEnumerable<DataRoot> roots, IEnumerable<Uri> publicOrigins, IEnumerable<Uri> adminOrigins)
    {
        ArgumentNullException.ThrowIfNull(roots);
        ArgumentNullException.ThrowIfNull(publicOrigins);
        ArgumentNullException.ThrowIfNull(adminOrigins);
        return new HostAccess(true, roots, publicOrigins, adminOrigins);
    }

    /// <summary>Whether paths and sources are checked.</summary>
    public bool IsRestricted { get; }

    /// <summary>The folders steps may use, in order (the first is the base of relative paths).</summary>
    public IReadOnlyList<DataRoot> Roots => roots.Select(r => r.Root).ToArray();

    /// <summary>Origins (<c>scheme://host:port</c>) downloads may come from.</summary>
    public IReadOnlyList<Uri> AllowedOrigins { get; }

    /// <summary>This policy with one more root (a step's work folder); unrestricted stays unrestricted.</summary>
    public HostAccess With(DataRoot root) =>
        IsRestricted ? new HostAccess(this, root) : this;

    /// <summary>
    /// The absolute path a step may use for <paramref name="path"/>, or a <see cref="HostAccessException"/> naming
    /// <paramref name="input"/> and the rule.
    /// </summary>
    /// <param name="path">The value as written.</param>
    /// <param name="use">Read, or write into.</param>
    /// <param name="input">The input it came from, for the error.</param>
    /// <param name="relativeTo">A folder (already resolved) that a relative path is relative to.</param>
    public string ResolvePath(string path, HostPathUse use, string? input, string? relativeTo = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!IsRestricted)
        {
            return Path.GetFullPath(path, relativeTo ?? Directory.GetCurrentDirectory());
        }

        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new HostAccessException(input, "an empty path, or one with a NUL character");
        }

        if (path.Split('/', '\\').Contains(".."))
        {
            throw new HostAccessException(input, $"'{path}': '..' is not allowed in paths");
        }

        if (roots.Length == 0)
        {
            throw new HostAccessException(input, $"'{path}': no data roots are configured, so no host path may be used");
        }

        var full = Path.GetFullPath(path, relativeTo ?? roots[0].Root.Path);
        var real = RealPath.Of(full);
        var inside = roots.Where(r => RealPath.IsWithin(real, r.Real)).ToArray();
        if (inside.Length == 0)
        {
            throw new HostAccessException(input, $"'{path}' is outside the data roots ({Describe()}); an admin adds roots with --data-root");
        }

        if (use == HostPathUse.Write && !inside.Any(r => r.Root.Writable))
        {
            throw new HostAccessException(input, $"'{path}' is in a read-only data root ({inside[0].Root.Label})");
        }

        return real;
    }

    /// <summary>
    /// Checks a download source: an http(s) URL must come from an allowed origin; a <c>file://</c> URL or a local
    /// folder must resolve inside the roots (then the result is its <c>file://</c> URL). Returns the source to use.
    /// </summary>
    public Uri CheckSource(string source, string? input)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (Uri.TryCreate(source, UriKind.Absolute, out var uri) && uri.Scheme is not "file")
        {
            CheckUrl(uri, input);
            return uri;
        }

        if (!IsRestricted)
        {
            return uri ?? new Uri(Path.GetFullPath(source));
        }

        var local = uri is { IsFile: true } ? uri.LocalPath : source;
        return new Uri(ResolvePath(local, HostPathUse.Read, input));
    }

    /// <summary>Checks one URL the step is about to fetch (each redirect too); <c>file://</c> URLs are checked as paths.</summary>
    public void CheckUrl(Uri url, string? input)
    {
        ArgumentNullException.ThrowIfNull(url);
        if (!IsRestricted)
        {
            return;
        }

        if (url.IsFile)
        {
            ResolvePath(url.LocalPath, HostPathUse.Read, input);
            return;
        }

        if (url.Scheme is not ("http" or "https"))
        {
            throw new HostAccessException(input, $"'{url}': only http, https and file:// sources are allowed");
        }

        if (!AllowedOrigins.Contains(Origin(url)))
        {
            var allowed = AllowedOrigins.Count == 0 ? "none" : string.Join(", ", AllowedOrigins.Select(o => o.GetLeftPart(UriPartial.Authority)));
            throw new HostAccessException(input, $"'{url.GetLeftPart(UriPartial.Authority)}' is not an allowed download origin (allowed: {allowed}); an admin adds origins with --allow-origin");
        }
    }

    /// <summary>
    /// Whether a connection for <paramref name="host"/>:<paramref name="port"/> may go to <paramref name="address"/>:
    /// public addresses always; loopback, private, link-local and other special ranges only for an origin an admin
    /// configured (a deliberate choice; a public name resolving to an internal address is not).
    /// </summary>
    public bool AllowsAddress(string host, int port, System.Net.IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return !IsRestricted || NetworkAddresses.IsPublic(address)
            || adminOrigins.Any(o => o.Port == port && string.Equals(o.IdnHost, host, StringComparison.OrdinalIgnoreCase));
    }

    private string Describe() => string.Join(", ", roots.Select(r => $"{r.Root.Label} {r.Root.Path}{(r.Root.Writable ? string.Empty : " (read only)")}"));

    private static (DataRoot Root, string Real) Resolve(DataRoot root)
    {
        var full = Path.GetFullPath(root.Path);
        return (root with { Path = full }, RealPath.Of(full));
    }

    private static Uri Origin(Uri url) => new(url.GetLeftPart(UriPartial.Authority).ToLowerInvariant() + "/");
}
