using System.ComponentModel;
using System.Globalization;
using CellSegFlows.Engine.Artifacts;
using CellSegFlows.Engine.Registry;
using CellSegFlows.Engine.Store;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary>The model registry of the run store, for the models commands and <c>segment --model model://…</c>.</summary>
internal static class ModelRegistryAccess
{
    public static async Task<ModelRegistry> OpenAsync(StoreSettings settings, CancellationToken ct) =>
        new(await settings.OpenStoreAsync(create: false, ct).ConfigureAwait(false)
            ?? throw new UserInputException($"no run history at {Path.Combine(settings.HomeFolder, "runs.db")}, so no model registry (pass --home / --store)"));

    /// <summary>The file a <c>model://</c> reference means in the home's artifact store.</summary>
    public static async Task<(string Path, ModelVersionRecord Version)> FileOfAsync(StoreSettings settings, string reference, CancellationToken ct)
    {
        if (!ModelReference.TryParse(reference, out var parsed))
        {
            throw new UserInputException($"'{reference}' is not a model reference: write {ModelReference.Form}");
        }

        var registry = await OpenAsync(settings, ct).ConfigureAwait(false);
        ModelVersionRecord version;
        try
        {
            version = await registry.ResolveAsync(parsed!, ct).ConfigureAwait(false);
        }
        catch (ModelRegistryException ex)
        {
            throw new UserInputException(ex.Message);
        }

        var artifacts = new LocalArtifactStore(settings.ArtifactFolder);
        if (!artifacts.Contains(version.ArtifactHash))
        {
            throw new UserInputException($"{parsed} is version {version.Version}, whose artifact {version.ArtifactHash[..12]} is not in {artifacts.Root}");
        }

        return (artifacts.GetPath(ModelRegistry.ArtifactOf(version)), version);
    }

    public static string Version(int? version) => version is { } v ? v.ToString(CultureInfo.InvariantCulture) : "–";

    public static string Time(DateTimeOffset time) => time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}

/// <summary><c>cellsegflows models list</c>: the registered models with their champions.</summary>
internal sealed class ModelsListCommand(IAnsiConsole console) : AsyncCommand<StoreSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, StoreSettings settings, CancellationToken cancellationToken)
    {
        var registry = await ModelRegistryAccess.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
        var models = await registry.ListAsync(cancellationToken).ConfigureAwait(false);
        if (models.Count == 0)
        {
            console.MarkupLine("no registered models (a workflow's PromoteModel node registers them)");
            return 0;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("model", "champion", "versions", "updated");
        foreach (var m in models)
        {
            table.AddRow(Markup.Escape(m.Name), ModelRegistryAccess.Version(m.ChampionVersion), m.VersionCount.ToString(CultureInfo.InvariantCulture), ModelRegistryAccess.Time(m.UpdatedAt));
        }

        console.Write(table);
        return 0;
    }
}

/// <summary>Settings of the commands about one model.</summary>
public sealed class ModelNameSettings : StoreSettings
{
    [CommandArgument(0, "<NAME>")]
    [Description("The registered model's name.")]
    public string Name { get; init; } = string.Empty;
}

/// <summary><c>cellsegflows models show NAME</c>: versions (with run, data and scores) and the decisions about the champion.</summary>
internal sealed class ModelsShowCommand(IAnsiConsole console) : AsyncCommand<ModelNameSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, ModelNameSettings settings, CancellationToken cancellationToken)
    {
        var registry = await ModelRegistryAccess.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
        var info = await registry.GetAsync(settings.Name, cancellationToken).ConfigureAwait(false) ?? throw new UserInputException($"no registered model '{settings.Name}'");
        console.MarkupLineInterpolated($"[bold]{info.Model.Name}[/]: champion {ModelRegistryAccess.Version(info.Model.ChampionVersion)}, {info.Model.VersionCount} version(s)");
        var versions = new Table().Border(TableBorder.Rounded).Title("versions").AddColumns("version", "artifact", "run", "data", "scores", "registered");
        foreach (var v in info.Versions)
        {
            versions.AddRow(
                v.Version.ToString(CultureInfo.InvariantCulture) + (v.Version == info.Model.ChampionVersion ? " (champion)" : string.Empty),
                Markup.Escape($"{v.ArtifactHash[..12]} {v.ArtifactName}"), Markup.Escape(v.RunId ?? v.CreatedBy ?? string.Empty),
                Markup.Escape(v.DataJson ?? string.Empty), Markup.Escape(v.MetricsJson ?? string.Empty), ModelRegistryAccess.Time(v.CreatedAt));
        }

        console.Write(versions);
        var decisions = new Table().Border(TableBorder.Rounded).Title("decisions").AddColumns("time", "version", "decision", "champion before", "by", "reason");
        foreach (var d in info.Decisions)
        {
            decisions.AddRow(ModelRegistryAccess.Time(d.Time), d.Version.ToString(CultureInfo.InvariantCulture), d.Decision.ToString(), ModelRegistryAccess.Version(d.PreviousChampion),
                Markup.Escape(d.By), Markup.Escape(d.Reason));
        }

        console.Write(decisions);
        return 0;
    }
}

/// <summary><c>cellsegflows models promote NAME@VERSION --reason TEXT</c>: set the champion by hand (promote or roll back), audited.</summary>
internal sealed class ModelsPromoteCommand(IAnsiConsole console) : AsyncCommand<ModelsPromoteCommand.Settings>
{
    public sealed class Settings : StoreSettings
    {
        [CommandArgument(0, "<NAME@VERSION>")]
        [Description("The version to make the champion, e.g. unet-livecell@3.")]
        public string Target { get; init; } = string.Empty;

        [CommandOption("--reason <TEXT>")]
        [Description("Why (required; kept in the decision history and the audit log).")]
        public string? Reason { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!ModelReference.TryParse(ModelReference.Scheme + settings.Target, out var target) || target!.Version is null)
        {
            throw new UserInputException($"'{settings.Target}' is not NAME@VERSION (e.g. unet-livecell@3)");
        }

        if (string.IsNullOrWhiteSpace(settings.Reason))
        {
            throw new UserInputException("--reason is required: a champion changed by hand says why");
        }

        var registry = await ModelRegistryAccess.OpenAsync(settings, cancellationToken).ConfigureAwait(false);
        ModelDecisionRecord decision;
        try
        {
            decision = await registry.SetChampionAsync(target.Name, target.Version.Value, CliUser.Name, settings.Reason, cancellationToken).ConfigureAwait(false);
        }
        catch (ModelRegistryException ex)
        {
            throw new UserInputException(ex.Message);
        }

        console.MarkupLineInterpolated($"{target} is the champion of {target.Name} (was {ModelRegistryAccess.Version(decision.PreviousChampion)})");
        return 0;
    }
}
