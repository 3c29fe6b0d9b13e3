using System.ComponentModel;
using System.Globalization;
using CellSegFlows.Engine.Store;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary>
/// <c>cellsegflows runs prune --older-than 30d [--dry-run]</c>: finished runs older than that go from the run history,
/// then the artifact folder's blobs that nothing kept references (see <see cref="Retention"/>).
/// </summary>
internal sealed class RunsPruneCommand(IAnsiConsole console) : AsyncCommand<RunsPruneCommand.Settings>
{
    public sealed class Settings : EngineSettings
    {
        [CommandOption("--older-than <AGE>")]
        [Description("Prune runs that finished longer ago than this: a number with d (days), h (hours) or m (minutes), e.g. 30d.")]
        public string? OlderThan { get; init; }

        [CommandOption("--dry-run")]
        [Description("Only list the runs and blobs that would go; delete nothing.")]
        public bool DryRun { get; init; }

        public override ValidationResult Validate() =>
            OlderThan is null ? ValidationResult.Error("runs prune needs --older-than AGE (e.g. 30d)")
            : ParseAge(OlderThan) is null ? ValidationResult.Error($"--older-than {OlderThan}: not an age (a number with d, h or m, e.g. 30d, 12h)")
            : ValidationResult.Success();
    }

    /// <summary>"30d", "12h", "90m" as a time span; null when it is none of those.</summary>
    internal static TimeSpan? ParseAge(string text)
    {
        if (text.Length < 2 || !int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
        {
            return null;
        }

        return text[^1] switch
        {
            'd' => TimeSpan.FromDays(n),
            'h' => TimeSpan.FromHours(n),
            'm' => TimeSpan.FromMinutes(n),
            _ => null,
        };
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var store = await settings.RunStoreAsync(create: false, cancellationToken).ConfigureAwait(false)
            ?? throw new UserInputException($"no run history at {settings.StoreLabel} (pass --home or --store)");
        var report = await new Retention(store, settings.ArtifactFolder).PruneAsync(ParseAge(settings.OlderThan!)!.Value, settings.DryRun, cancellationToken).ConfigureAwait(false);
        var verb = report.DryRun ? "would prune" : "pruned";
        foreach (var run in report.Runs)
        {
            console.MarkupLineInterpolated($"{verb} run {run.Id} ({run.WorkflowId}, {run.Status}, finished {run.FinishedAt!.Value.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z)");
        }

        foreach (var blob in report.Blobs)
        {
            console.MarkupLineInterpolated($"{(report.DryRun ? "would delete" : "deleted")} blob {blob.Hash} ({blob.Size:N0} bytes)");
        }

        console.MarkupLineInterpolated($"{verb} {report.Runs.Count} run(s) finished before {report.Cutoff.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z ({report.KeptForModels} kept: a registered model version came from them); {(report.DryRun ? "would free" : "freed")} {report.Blobs.Count} blob(s), {report.Bytes:N0} bytes, and {report.TemporaryFiles} leftover temporary file(s); blobs younger than {Retention.BlobGrace.TotalHours:0} h are always kept");
        if (!report.DryRun && report.Runs.Count > 0)
        {
            await store.AuditAsync(CliUser.Name, "runs.prune", $"older than {settings.OlderThan}", $"{report.Runs.Count} runs, {report.Blobs.Count} blobs", cancellationToken).ConfigureAwait(false);
        }

        return 0;
    }
}
