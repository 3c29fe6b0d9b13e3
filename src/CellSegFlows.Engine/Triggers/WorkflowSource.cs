using CellSegFlows.Engine.Activities;
using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Runtime;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Engine.Triggers;

/// <summary>
/// A workflow as a trigger saved it: the file (null for a stored definition), the pinned version of a stored
/// definition (null for the latest, or for a file), and the definition it held then.
/// </summary>
internal sealed record WorkflowSnapshot(string? Path, string? PinnedVersion, string Json, WorkflowDefinition Definition, string Hash)
{
    /// <summary>The file, or the stored definition, in words.</summary>
    public string Describe => DefinitionReference.Describe(Path, Definition.Id, PinnedVersion);
}

/// <summary>The definition a firing runs, and a note when it is not the file's current content.</summary>
internal sealed record ResolvedWorkflow(string Json, string SourceName, string? Note);

/// <summary>
/// Where a trigger's workflow comes from: a file or a stored definition. When a trigger is saved, the workflow is
/// read and validated against the catalog, and kept as a snapshot. A firing of a file trigger reads the file again,
/// so edits are picked up without saving the trigger again; only when the file is gone (or unreadable) does it fall
/// back to the snapshot, and says so in the firing's note. A file that is there but now invalid fails the firing
/// rather than silently running an older version. A firing of a stored definition runs its latest version at that
/// time (or the pinned one) from the run store, and fails when that is no longer stored: there is no file to lose,
/// so there is no fallback either.
/// </summary>
internal static class WorkflowSource
{
    /// <summary>Reads and validates what a trigger being saved names: exactly one of a file and a stored definition.</summary>
    public static async Task<WorkflowSnapshot> SnapshotAsync(string? path, string? definition, string? pinnedVersion, RunStoreOptions store, IActivityCatalog catalog, string trigger, CancellationToken ct)
    {
        var hasFile = !string.IsNullOrWhiteSpace(path);
        var hasDefinition = !string.IsNullOrWhiteSpace(definition);
        if (hasFile && hasDefinition)
        {
            throw new TriggerDefinitionException(trigger, "definition", "give either a workflow file or a stored definition, not both");
        }

        if (pinnedVersion is not null && !hasDefinition)
        {
            throw new TriggerDefinitionException(trigger, "pinnedVersion", "a pinned version needs a stored definition (a file is read again at every firing)");
        }

        if (hasDefinition)
        {
            return await StoredAsync(definition!.Trim(), pinnedVersion, store, catalog, trigger, ct).ConfigureAwait(false);
        }

        if (!hasFile)
        {
            throw new TriggerDefinitionException(trigger, "workflow", "a workflow file or a stored definition is required");
        }

        return await FileAsync(path!, catalog, trigger, ct).ConfigureAwait(false);
    }

    /// <summary>The definition a firing runs: the file again (or its snapshot when gone), or the stored definition's latest or pinned version.</summary>
    /// <exception cref="EngineException">A stored definition (or its pinned version) is no longer in the run store.</exception>
    public static async Task<ResolvedWorkflow> ResolveAsync(RunStoreOptions store, string? path, string workflowId, string? pinnedVersion, string snapshotJson, string snapshotHash, DateTimeOffset snapshotAt, CancellationToken ct)
    {
        if (path is null)
        {
            await using var db = store.CreateContext();
            var record = await DefinitionVersions.LatestOrAsync(db, workflowId, pinnedVersion, ct).ConfigureAwait(false)
                ?? throw new EngineException(pinnedVersion is null
                    ? $"stored definition '{workflowId}' no longer exists: no version of it is in the run store"
                    : $"version {pinnedVersion[..Math.Min(12, pinnedVersion.Length)]} of stored definition '{workflowId}' no longer exists in the run store");
            return new ResolvedWorkflow(record.Json, $"{record.WorkflowId}@{record.Hash[..12]}", null);
        }

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

    private static async Task<WorkflowSnapshot> StoredAsync(string workflowId, string? pinnedVersion, RunStoreOptions store, IActivityCatalog catalog, string trigger, CancellationToken ct)
    {
        if (!Identifiers.IsValid(workflowId))
        {
            throw new TriggerDefinitionException(trigger, "definition", $"'{workflowId}' is not a workflow id ({Identifiers.Rule})");
        }

        if (pinnedVersion is not null && !DefinitionVersions.IsHashOrPrefix(pinnedVersion))
        {
            throw new TriggerDefinitionException(trigger, "pinnedVersion", $"'{pinnedVersion}' is not a definition hash ({DefinitionVersions.MinPrefix} to 64 lowercase hex digits)");
        }

        DefinitionVersionRecord? record;
        await using (var db = store.CreateContext())
        {
            record = await DefinitionVersions.LatestOrAsync(db, workflowId, pinnedVersion, ct).ConfigureAwait(false);
        }

        if (record is null)
        {
            throw pinnedVersion is null
                ? new TriggerDefinitionException(trigger, "definition", $"no stored workflow definition '{workflowId}' (save it first: the studio, POST /api/workflows, or serve's workflow folder)")
                : new TriggerDefinitionException(trigger, "pinnedVersion", $"workflow '{workflowId}' has no stored version '{pinnedVersion}' (or the prefix names several)");
        }

        WorkflowDefinition definition;
        try
        {
            definition = WorkflowDefinitionReader.Parse(DefinitionUpgrade.Apply(record.Json, catalog).Json, $"{workflowId}@{record.Hash[..12]}");
        }
        catch (WorkflowDefinitionException ex)
        {
            throw new TriggerDefinitionException(trigger, "definition", $"stored definition {workflowId}@{record.Hash[..12]} is not a valid workflow", ex.Problems);
        }

        var problems = WorkflowValidator.Validate(definition, catalog);
        if (problems.Count > 0)
        {
            throw new TriggerDefinitionException(trigger, "definition", $"stored definition {workflowId}@{record.Hash[..12]} is not valid with this engine's activities", problems);
        }

        return new WorkflowSnapshot(null, pinnedVersion is null ? null : record.Hash, record.Json, definition, record.Hash);
    }

    private static async Task<WorkflowSnapshot> FileAsync(string path, IActivityCatalog catalog, string trigger, CancellationToken ct)
    {
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
            json = DefinitionUpgrade.Apply(json, catalog).Json;
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

        return new WorkflowSnapshot(full, null, json, definition, DefinitionHash.Compute(definition));
    }
}
