using System.ComponentModel;
using CellSegFlows.Activities;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary><c>cellsegflows activities [--json]</c>: the registry, as a table or as the JSON the studio builds forms from.</summary>
internal sealed class ActivitiesCommand(IAnsiConsole console) : Command<ActivitiesCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--json")]
        [Description("Print the JSON description instead of a table.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var registry = ActivityCatalog.Create();
        if (settings.Json)
        {
            console.Profile.Out.Writer.WriteLine(registry.ToJson().ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }));
            return 0;
        }

        var table = new Table().Border(TableBorder.Rounded).AddColumns("activity", "version", "queue", "inputs", "outputs", "description");
        foreach (var a in registry.All)
        {
            table.AddRow(
                Markup.Escape(a.Type),
                a.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
                a.SharesDevice ? $"{a.Queue} (shares device)" : a.Queue,
                Markup.Escape(string.Join("\n", a.Inputs.Select(p => $"{p.Name}: {p.Type}{(p.Required ? string.Empty : $" = {p.Default?.ToJsonString() ?? "null"}")}"))),
                Markup.Escape(string.Join("\n", a.Outputs.Select(p => $"{p.Name}: {p.Type}"))),
                Markup.Escape(a.Description));
        }

        console.Write(table);
        return 0;
    }
}
