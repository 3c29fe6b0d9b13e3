using System.Text.Json;
using System.Text.Json.Nodes;
using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Artifacts;

namespace CellSegFlows.Activities;

/// <summary>
/// Image artifacts as the data nodes hand them on: stored from an import, found in a JSON value (a list, or
/// one list per branch of a mapped node), and laid out as a folder of their file names (symbolic links into
/// the artifact store, nothing copied) for libraries that read "a COCO file and the folder of its images".
/// </summary>
internal static class ArtifactFolders
{
    /// <summary>Links every artifact into <paramref name="folder"/> under its name and returns the folder.</summary>
    /// <exception cref="ActivityInputException">Two different artifacts share a name.</exception>
    public static string Stage(IEnumerable<ArtifactRef> artifacts, IArtifactStore store, string folder)
    {
        Directory.CreateDirectory(folder);
        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var artifact in artifacts)
        {
            var name = Path.GetFileName(artifact.Name);
            if (seen.TryGetValue(name, out var hash))
            {
                if (hash != artifact.Hash)
                {
                    throw new ActivityInputException(null, $"two different images are both named '{name}' ({hash[..12]} and {artifact.Hash[..12]})");
                }

                continue;
            }

            seen[name] = artifact.Hash;
            var link = Path.Combine(folder, name);
            var target = store.GetPath(artifact);
            if (File.Exists(link) || Directory.Exists(link))
            {
                // A retried attempt finds its own links; a link to another file is replaced.
                if (new FileInfo(link).LinkTarget == target)
                {
                    continue;
                }

                File.Delete(link);
            }

            File.CreateSymbolicLink(link, target);
        }

        return folder;
    }

    /// <summary>
    /// Stores an imported dataset's images as artifacts named as in the annotations (the shape every data
    /// node hands on), reporting progress from <paramref name="from"/> to 1.
    /// </summary>
    public static async Task<List<ArtifactRef>> StoreImagesAsync(IReadOnlyList<CellSeg.Data.Datasets.ImportedImage> images, ActivityContext context, double from)
    {
        var stored = new List<ArtifactRef>(images.Count);
        foreach (var image in images)
        {
            stored.Add(await context.Artifacts.PutFileAsync(image.Path, image.Image.FileName, context.CancellationToken).ConfigureAwait(false));
            context.Progress.Report(new StepProgress(from + (1 - from) * stored.Count / images.Count, "storing images"));
        }

        return stored;
    }

    /// <summary>Every artifact in a JSON value: an artifact object, or lists of them at any depth.</summary>
    internal static IEnumerable<ArtifactRef> Flatten(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject o when o.ContainsKey("hash") && o.ContainsKey("name"):
                yield return o.Deserialize<ArtifactRef>(ActivityJson.Options) ?? throw new ActivityInputException(null, $"not an artifact: {o.ToJsonString()}");
                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    foreach (var artifact in Flatten(item))
                    {
                        yield return artifact;
                    }
                }

                break;
            case null:
                break;
            default:
                throw new ActivityInputException(null, $"{node.ToJsonString()} is neither an artifact nor a list of them");
        }
    }

    /// <summary>
    /// Sets of artifacts in a JSON value: one artifact or a flat list is one set; a list of lists (a mapped
    /// node's list outputs) is one set per element.
    /// </summary>
    internal static List<List<ArtifactRef>> Sets(JsonNode? node) => node switch
    {
        null => [],
        JsonArray a when a.Count > 0 && a.All(item => item is JsonArray) => [.. a.Select(item => Flatten(item).ToList())],
        _ => Flatten(node).ToList() is { Count: > 0 } one ? [one] : [],
    };

    /// <summary>A branch name made safe as an artifact file name (letters, digits, '-', '_', '+'; anything else '_').</summary>
    internal static string SafeName(string name) => new([.. name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '+' ? c : '_')]);
}
