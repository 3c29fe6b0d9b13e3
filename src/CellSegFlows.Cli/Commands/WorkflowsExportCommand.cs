using System.ComponentModel;
using CellSegFlows.Engine.Store;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary>
/// <c>cellsegflows workflows export ID [--version HASH] --out FILE</c>: a definition stored in the run store (saved in the
/// studio, or imported by serve) back to a workflow file, written through a temporary file and moved into place, so the
/// file is either the old one or the whole new one.
/// </summary>
internal sealed class WorkflowsExportCommand(IAnsiConsole console) : AsyncCommand<WorkflowsExportCommand.Settings>
{
    public sealed class Settings : EngineSettings
    {
        [CommandArgument(0, "<ID>")]
        [Description("The workflow's id.")]
        public string Id { get; init; } = string.Empty;

        [CommandOption("--version <HASH>")]
        [Description("The version (definition hash, or a unique prefix of at least 6 digits); default the latest.")]
        public string? Version { get; init; }

        [CommandOption("-o|--out <FILE>")]
        [Description("The file to write (replaced if it exists).")]
        public string? Out { get; init; }

        public override ValidationResult Validate() =>
            Out is null ? ValidationResult.Error("--out FILE is required")
            : Version is not null && !DefinitionVersions.IsHashOrPrefix(Version) ? ValidationResult.Error($"--version: '{Version}' is not a definition hash ({DefinitionVersions.MinPrefix} to 64 lowercase hex digits)")
            : ValidationResult.Success();
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var store = await settings.RunStoreAsync(create: false, cancellationToken).ConfigureAwait(false)
            ?? throw new UserInputException($"no run store at {settings.StoreLabel} (nothing is stored yet; pass --home or --store)");
        DefinitionVersionRecord? record;
        await using (var db = store.CreateContext())
        {
            record = await DefinitionVersions.LatestOrAsync(db, settings.Id, settings.Version, cancellationToken).ConfigureAwait(false);
        }

        if (record is null)
        {
            throw new UserInputException(settings.Version is null
                ? $"no stored workflow '{settings.Id}' in {settings.StoreLabel}"
                : $"workflow '{settings.Id}' has no stored version '{settings.Version}' in {settings.StoreLabel} (or the prefix names several)");
        }

        var target = Path.GetFullPath(settings.Out!);
        var folder = Path.GetDirectoryName(target)!;
        if (!Directory.Exists(folder))
        {
            throw new UserInputException($"--out {settings.Out}: no folder {folder}");
        }

        var temp = Path.Combine(folder, $".{Path.GetFileName(target)}.{Environment.ProcessId}.tmp");
        try
        {
            await File.WriteAllTextAsync(temp, record.Json + "\n", cancellationToken).ConfigureAwait(false);
            File.Move(temp, target, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            File.Delete(temp);
            throw new UserInputException($"--out {target}: cannot write: {ex.Message}");
        }

        console.MarkupLineInterpolated($"workflow [bold]{record.WorkflowId}[/] version {record.VersionLabel} ({record.Hash[..12]}, saved {record.SavedAt.ToLocalTime():yyyy-MM-dd HH:mm} by {record.SavedBy ?? "-"}) written to {target}");
        return 0;
    }
}
