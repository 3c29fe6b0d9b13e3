using CellSegFlows.Engine.Definitions;
using CellSegFlows.Engine.Hosting;

namespace CellSegFlows.Server.Api;

/// <summary>What importing a folder of definitions did.</summary>
/// <param name="Files">Definition files found.</param>
/// <param name="NewVersions">Versions saved (a file whose content is saved already adds none).</param>
/// <param name="Problems">One line per file that could not be imported (not valid JSON, or not a valid definition).</param>
public sealed record WorkflowImport(int Files, int NewVersions, IReadOnlyList<string> Problems);

/// <summary>
/// Imports the shipped (or a configured) <c>workflows/</c> folder as definition versions when the server starts, so the
/// studio shows what ships and a trigger's file and the studio's version are the same definition. Versions are named by
/// content, so an unchanged file adds nothing on the next start and a changed one adds a version.
/// </summary>
public static class WorkflowFolderImport
{
    /// <summary>Saves every valid <c>*.json</c> definition of <paramref name="folder"/> (not its subfolders), audited as the import.</summary>
    public static async Task<WorkflowImport> RunAsync(WorkflowEngine engine, string folder, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var files = Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).ToArray();
        var created = 0;
        var problems = new List<string>();
        foreach (var file in files)
        {
            WorkflowDefinition definition;
            try
            {
                definition = WorkflowDefinitionReader.Parse(DefinitionUpgrade.Apply(await File.ReadAllTextAsync(file, ct).ConfigureAwait(false), engine.Registry).Json, file);
            }
            catch (WorkflowDefinitionException ex)
            {
                problems.Add($"{file}: {ex.Message.Split('\n')[0]}");
                continue;
            }

            var invalid = WorkflowValidator.Validate(definition, engine.Registry, engine.Options.Limits);
            if (invalid.Count > 0)
            {
                problems.Add($"{file}: {invalid.Count} problem(s), first: {invalid[0].Message}");
                continue;
            }

            var (isNew, _, _) = await DefinitionEndpoints.SaveVersionAsync(engine, definition, $"import ({Path.GetFileName(file)})", ct).ConfigureAwait(false);
            created += isNew ? 1 : 0;
        }

        return new WorkflowImport(files.Length, created, problems);
    }
}
