using System.Text.Json;

namespace CellSeg.Data.Download;

/// <summary>What a manifest entry is: a JSON annotation file, or an archive that may be extracted.</summary>
public enum ManifestFileKind
{
    /// <summary>A COCO annotation file.</summary>
    Annotations,

    /// <summary>An archive (zip, tar, tar.gz) of images.</summary>
    Archive,
}

/// <summary>
/// One file of a <see cref="DownloadManifest"/>.
/// </summary>
/// <param name="Id">Unique name of the entry, e.g. <c>livecell-wide:test</c>; selections name it.</param>
/// <param name="Path">Path relative to the base URL, with <c>/</c>; also where the file goes under the destination folder.</param>
/// <param name="Size">Size in bytes when known; checked against the server's length and the received bytes.</param>
/// <param name="Sha256">Lowercase hex SHA-256 when known; otherwise the hash of the first download is recorded and trusted.</param>
/// <param name="Kind">Annotations or archive.</param>
/// <param name="Groups">Tags a selection may name instead of the id, e.g. <c>livecell-wide</c>, <c>single-cell:a172</c>.</param>
/// <param name="ExtractTo">For archives: the folder (relative to the destination) the archive is extracted into; null for the file name without extension.</param>
/// <param name="StripComponents">For archives: leading path segments removed from every entry name (like tar's <c>--strip-components</c>).</param>
public sealed record ManifestFile(
    string Id,
    string Path,
    long? Size,
    string? Sha256,
    ManifestFileKind Kind,
    IReadOnlyList<string> Groups,
    string? ExtractTo = null,
    int StripComponents = 0)
{
    /// <summary>The extraction folder relative to the destination: <see cref="ExtractTo"/>, or the file name without its archive extension.</summary>
    public string ExtractFolder => ExtractTo ?? SafeArchiveExtractor.StripArchiveExtension(System.IO.Path.GetFileName(Path));
}

/// <summary>
/// The list of files a dataset offers and where they are: a base URL (http, https, <c>file://</c> or a
/// local folder) and, per file, its path under that URL, its size and SHA-256 when known, its kind and
/// the groups a selection can name. Read from JSON:
/// <code>
/// { "baseUrl": "https://host/dataset/",
///   "files": [ { "id": "livecell-wide:test", "path": "annotations/LIVECell/livecell_coco_test.json",
///                "size": null, "sha256": null, "kind": "annotations", "groups": ["livecell-wide", "test"] } ] }
/// </code>
/// </summary>
public sealed record DownloadManifest(Uri BaseUrl, IReadOnlyList<ManifestFile> Files)
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>Where the manifest was read from (for error messages); null when built in code.</summary>
    public string? SourcePath { get; init; }

    /// <summary>Reads and checks a manifest file.</summary>
    /// <exception cref="DataFormatException">The file is not valid JSON or an entry is wrong; the message names the file, the entry and the reason.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    public static async Task<DownloadManifest> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"download manifest not found: {full}", full);
        }

        var text = await File.ReadAllTextAsync(full, cancellationToken).ConfigureAwait(false);
        return Parse(text, full);
    }

    /// <summary>Parses a manifest; <paramref name="sourcePath"/> names it in errors and anchors a relative local base folder.</summary>
    /// <exception cref="DataFormatException">Bad JSON or a bad entry.</exception>
    public static DownloadManifest Parse(string json, string sourcePath)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, DocumentOptions);
        }
        catch (JsonException ex)
        {
            throw new DataFormatException(sourcePath, ex.LineNumber is { } line ? $"line {line + 1}" : null, $"not valid JSON: {ex.Message}", ex);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new DataFormatException(sourcePath, null, "a manifest is a JSON object with \"baseUrl\" and \"files\"");
            }

            var baseText = OptionalString(root, "baseUrl", sourcePath, "baseUrl")
                ?? throw new DataFormatException(sourcePath, "baseUrl", "missing");
            var baseUrl = ParseBaseUrl(baseText, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(sourcePath)), sourcePath);
            if (!root.TryGetProperty("files", out var filesElement) || filesElement.ValueKind != JsonValueKind.Array)
            {
                throw new DataFormatException(sourcePath, "files", "missing, or not a list");
            }

            var files = new List<ManifestFile>();
            var ids = new HashSet<string>(StringComparer.Ordinal);
            var paths = new HashSet<string>(StringComparer.Ordinal);
            var index = 0;
            foreach (var element in filesElement.EnumerateArray())
            {
                var file = ParseFile(element, index, sourcePath);
                var record = $"files[{index}] ('{file.Id}')";
                if (!ids.Add(file.Id))
                {
                    throw new DataFormatException(sourcePath, record, "duplicate id");
                }

                if (!paths.Add(file.Path))
                {
                    throw new DataFormatException(sourcePath, record, $"path '{file.Path}' is listed twice");
                }

                files.Add(file);
                index++;
            }

            return new DownloadManifest(baseUrl, files) { SourcePath = sourcePath };
        }
    }

    /// <summary>
    /// Reads a base URL: <c>http://</c>, <c>https://</c>, <c>file://</c>, or a local folder path
    /// (relative paths are relative to <paramref name="relativeTo"/>, or the current folder when null).
    /// The result always ends with <c>/</c>, so file paths resolve beneath it.
    /// </summary>
    /// <exception cref="DataFormatException">Another scheme, or an empty value.</exception>
    public static Uri ParseBaseUrl(string text, string? relativeTo = null, string? sourcePath = null)
    {
        var where = sourcePath ?? "baseUrl";
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new DataFormatException(where, "baseUrl", "empty");
        }

        text = text.Trim();
        Uri uri;
        if (Uri.TryCreate(text, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https" or "file")
        {
            uri = absolute;
        }
        else if (text.Contains("://", StringComparison.Ordinal))
        {
            throw new DataFormatException(where, "baseUrl", $"'{text}' is neither http(s), file:// nor a local folder");
        }
        else
        {
            var folder = System.IO.Path.GetFullPath(text, relativeTo ?? Directory.GetCurrentDirectory());
            uri = new Uri(folder);
        }

        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }

    /// <summary>This manifest with another base URL (a mirror, or a local folder for offline use).</summary>
    public DownloadManifest WithBaseUrl(string baseUrl) => this with { BaseUrl = ParseBaseUrl(baseUrl, null, SourcePath) };

    /// <summary>Where a file is fetched from: the base URL joined with the file's path.</summary>
    public Uri SourceOf(ManifestFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var escaped = string.Join('/', file.Path.Split('/').Select(Uri.EscapeDataString));
        return new Uri(BaseUrl, escaped);
    }

    /// <summary>
    /// The files named by a selection, in manifest order. Each selector is a file id or a group
    /// (e.g. <c>images</c>, <c>livecell-wide</c>, <c>livecell-wide:test</c>, <c>single-cell:a172</c>).
    /// </summary>
    /// <exception cref="DataFormatException">A selector matches nothing; the message lists the ids and groups there are.</exception>
    public IReadOnlyList<ManifestFile> Select(IEnumerable<string> selectors)
    {
        ArgumentNullException.ThrowIfNull(selectors);
        var chosen = new HashSet<ManifestFile>();
        foreach (var raw in selectors)
        {
            var selector = raw.Trim();
            var matches = Files.Where(f => f.Id == selector || f.Groups.Contains(selector)).ToList();
            if (matches.Count == 0)
            {
                var known = Files.Select(f => f.Id).Concat(Files.SelectMany(f => f.Groups)).Distinct().Order(StringComparer.Ordinal);
                throw new DataFormatException(SourcePath ?? "download manifest", $"selection '{selector}'", $"matches no file id or group; known: {string.Join(", ", known)}");
            }

            chosen.UnionWith(matches);
        }

        return Files.Where(chosen.Contains).ToList();
    }

    private static ManifestFile ParseFile(JsonElement element, int index, string sourcePath)
    {
        var record = $"files[{index}]";
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new DataFormatException(sourcePath, record, "an entry is an object with id, path, kind");
        }

        var id = OptionalString(element, "id", sourcePath, record);
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new DataFormatException(sourcePath, record, "missing id");
        }

        record = $"files[{index}] ('{id}')";
        var path = OptionalString(element, "path", sourcePath, record) ?? throw new DataFormatException(sourcePath, record, "missing path");
        if (RelativePathProblem(path) is { } pathProblem)
        {
            throw new DataFormatException(sourcePath, record, $"path '{path}' {pathProblem}");
        }

        long? size = null;
        if (element.TryGetProperty("size", out var sizeElement) && sizeElement.ValueKind != JsonValueKind.Null)
        {
            if (sizeElement.ValueKind != JsonValueKind.Number || !sizeElement.TryGetInt64(out var s) || s < 0)
            {
                throw new DataFormatException(sourcePath, record, "size must be a whole number of bytes ≥ 0, or null");
            }

            size = s;
        }

        var sha = OptionalString(element, "sha256", sourcePath, record);
        if (sha is not null)
        {
            sha = sha.Trim().ToLowerInvariant();
            if (sha.Length != 64 || !sha.All(char.IsAsciiHexDigit))
            {
                throw new DataFormatException(sourcePath, record, "sha256 must be 64 hex digits, or null");
            }
        }

        var kindText = OptionalString(element, "kind", sourcePath, record) ?? throw new DataFormatException(sourcePath, record, "missing kind (annotations or archive)");
        var kind = kindText switch
        {
            "annotations" => ManifestFileKind.Annotations,
            "archive" => ManifestFileKind.Archive,
            _ => throw new DataFormatException(sourcePath, record, $"kind '{kindText}' is not annotations or archive"),
        };

        var groups = new List<string>();
        if (element.TryGetProperty("groups", out var groupsElement) && groupsElement.ValueKind != JsonValueKind.Null)
        {
            if (groupsElement.ValueKind != JsonValueKind.Array || groupsElement.EnumerateArray().Any(g => g.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(g.GetString())))
            {
                throw new DataFormatException(sourcePath, record, "groups must be a list of non-empty strings");
            }

            groups.AddRange(groupsElement.EnumerateArray().Select(g => g.GetString()!.Trim()));
        }

        var extractTo = OptionalString(element, "extractTo", sourcePath, record);
        if (extractTo is not null && RelativePathProblem(extractTo) is { } extractProblem)
        {
            throw new DataFormatException(sourcePath, record, $"extractTo '{extractTo}' {extractProblem}");
        }

        var strip = 0;
        if (element.TryGetProperty("stripComponents", out var stripElement) && stripElement.ValueKind != JsonValueKind.Null)
        {
            if (stripElement.ValueKind != JsonValueKind.Number || !stripElement.TryGetInt32(out strip) || strip < 0)
            {
                throw new DataFormatException(sourcePath, record, "stripComponents must be a whole number ≥ 0");
            }
        }

        if (kind != ManifestFileKind.Archive && (extractTo is not null || strip != 0))
        {
            throw new DataFormatException(sourcePath, record, "extractTo and stripComponents apply to archives only");
        }

        return new ManifestFile(id.Trim(), path, size, sha, kind, groups, extractTo, strip);
    }

    private static string? OptionalString(JsonElement element, string name, string sourcePath, string record)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw new DataFormatException(sourcePath, record, $"{name} must be a string");
    }

    /// <summary>Why a manifest path may not be used as a relative path under the destination, or null when it may.</summary>
    internal static string? RelativePathProblem(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return "is empty";
        }

        if (path.Contains('\\', StringComparison.Ordinal) || path.Contains('\0', StringComparison.Ordinal))
        {
            return "must use '/' and no control characters";
        }

        if (path.StartsWith('/') || System.IO.Path.IsPathRooted(path) || (path.Length >= 2 && path[1] == ':'))
        {
            return "must be relative";
        }

        return path.Split('/').Any(s => s is "" or "." or "..") ? "must not hold empty, '.' or '..' segments" : null;
    }
}
