using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Definitions;

namespace CellSegFlows.Engine.Triggers;

/// <summary>A workflow as a trigger saved it: the file, and the definition it held then.</summary>
internal sealed record WorkflowSnapshot(string Path, string Json, WorkflowDefinition Definition, string Hash);

/// <summary>The definition a firing runs, and a note when it is not the file's current content.</summary>
internal sealed record ResolvedWorkflow(string Json, string SourceName, string? Note);

/// <summary>
/// Where a trigger's workflow comes from. When a trigger is saved, the file is read and validated against the
/// catalog, and the definition is kept as a snapshot. A firing reads the file again, so edits are picked up
/// without saving the trigger again; only when the file is gone (or unreadable) does it fall back to the
/// snapshot, and says so in the firing's note. A file that is there but now invalid fails the firing
/// rather than silently running an older version.
/// </summary>
internal static class WorkflowSource
{
    public static async Task<WorkflowSnapshot> SnapshotAsync(string path, IActivityCatalog catalog, string trigger, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new TriggerDefinitionException(trigger, "workflow", "a workflow file is required");
        }

        var full = System.IO.Path.GetFullPath(path);
        if (!File.Exists(full))
        {
            throw new TriggerDefinitionException(trigger, "workflow", $"workflow file not found: {full}");
        }

        string json;
        try
        {
            json = await File.ReadAllTextAsync(full, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new TriggerDefinitionException(trigger, "workflow", $"cannot read {full}: {ex.Message}");
        }

        WorkflowDefinition definition;
        try
        {
            definition = WorkflowDefinitionReader.Parse(json, full);
        }
        catch (WorkflowDefinitionException ex)
        {
            throw new TriggerDefinitionException(trigger, "workflow", $"{full} is not a valid workflow", ex.Problems);
        }

        var problems = WorkflowValidator.Validate(definition, catalog);
        if (problems.Count > 0)
        {
            throw new TriggerDefinitionException(trigger, "workflow", $"{full} is not a valid workflow", problems);
        }

        return new WorkflowSnapshot(full, json, definition, DefinitionHash.Compute(definition));
    }

    public static async Task<ResolvedWorkflow> ResolveAsync(string path, string snapshotJson, string snapshotHash, DateTimeOffset snapshotAt, CancellationToken ct)
    {
        try
        {
            return new ResolvedWorkflow(await File.ReadAllTextAsync(path, ct).ConfigureAwait(false), path, null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            var why = ex is FileNotFoundException or DirectoryNotFoundException ? "is gone" : $"cannot be read ({ex.Message})";
            return new ResolvedWorkflow(
                snapshotJson,
                $"{path} (snapshot {snapshotHash[..12]})",
                $"workflow file {path} {why}; ran the snapshot saved {snapshotAt.UtcDateTime:yyyy-MM-dd HH:mm:ss}Z (version {snapshotHash[..12]})");
        }
    }
}
