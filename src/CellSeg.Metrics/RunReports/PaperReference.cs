using System.Reflection;
using System.Text.Json.Nodes;
using CellSeg.Data.Livecell;

namespace CellSeg.Metrics.RunReports;

/// <summary>One number of the paper's Tables 1–4, as a fraction (AP and AFNR printed in percent are divided by 100).</summary>
/// <param name="Table">1 to 4.</param>
/// <param name="Model">The paper's model name (e.g. "U-Net", "CenterMask V-19-SlimDW").</param>
/// <param name="Dataset">"L" (original LIVECell) or "EL" (extended with synthetic images).</param>
/// <param name="Training">"LIVECell-wide" or "single cell type" (trained on the row's cell type only).</param>
/// <param name="Row">"LIVECell" (the whole test set) or a cell type (<see cref="CellTypes"/>).</param>
/// <param name="Metric">F1, AP or AFNR.</param>
/// <param name="Value">The value as a fraction in [0, 1].</param>
/// <param name="Mark">The mark printed beside it ("*" in Table 1: layer 1 expansion), or null.</param>
public sealed record PaperValue(int Table, string Model, string Dataset, string Training, string Row, string Metric, double Value, string? Mark);

/// <summary>A row of the paper's tables: the whole test set or one cell type, with the label the paper prints.</summary>
/// <param name="Row">"LIVECell" or a cell type name (<see cref="CellTypes"/>).</param>
/// <param name="Label">As printed, e.g. "SH-SY5Y".</param>
public sealed record PaperRow(string Row, string Label);

/// <summary>How a run's model name reads: the model family, the dataset and the cell type it was trained on.</summary>
/// <param name="Family">The name without dataset and cell type, e.g. "Deep U-Net".</param>
/// <param name="Dataset">"L" or "EL" ("(EL)" or "+synthetic" in the name); "L" when the name says neither.</param>
/// <param name="CellType">The cell type named in it (single-cell-type training), or null (LIVECell-wide).</param>
public sealed record ModelNameParts(string Family, string Dataset, string? CellType);

/// <summary>
/// The paper's reference numbers (Tables 1–4 of Kim, Song and Zheng, "Deep Learning for Cell Segmentation", 2022, §4.3),
/// recorded as data in <c>paper-reference.json</c> beside this file with its source and reading notes, so a report can
/// put the paper's value beside each of a run's scores.
/// </summary>
public sealed class PaperReference
{
    /// <summary>The whole-test-set row's name.</summary>
    public const string WholeSet = "LIVECell";

    private readonly Dictionary<string, string[]> _aliases;

    private PaperReference(string source, IReadOnlyList<string> notes, IReadOnlyList<PaperRow> rows, IReadOnlyList<PaperValue> values, Dictionary<string, string[]> aliases)
    {
        Source = source;
        Notes = notes;
        Rows = rows;
        Values = values;
        _aliases = aliases;
    }

    /// <summary>Where the numbers come from: paper, file, section.</summary>
    public string Source { get; }

    /// <summary>How the printed tables were read (units, garbled cells).</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>The rows, in the paper's order: LIVECell, then the 8 cell types.</summary>
    public IReadOnlyList<PaperRow> Rows { get; }

    /// <summary>Every number of the four tables.</summary>
    public IReadOnlyList<PaperValue> Values { get; }

    /// <summary>The recorded tables (embedded in this library).</summary>
    public static PaperReference Load()
    {
        using var stream = typeof(PaperReference).Assembly.GetManifestResourceStream("CellSeg.Metrics.RunReports.paper-reference.json")
            ?? throw new InvalidOperationException("paper-reference.json is not embedded in CellSeg.Metrics");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    /// <summary>Reads the tables from JSON in the format of <c>paper-reference.json</c>.</summary>
    /// <exception cref="FormatException">A field is missing or not of its type; the message names it.</exception>
    public static PaperReference Parse(string json)
    {
        var root = JsonNode.Parse(json) as JsonObject ?? throw new FormatException("paper reference: not a JSON object");
        var src = root["source"] as JsonObject ?? throw new FormatException("paper reference: no 'source'");
        var source = $"{Text(src, "paper")} {Text(src, "section")}";
        var notes = (root["notes"] as JsonArray ?? []).Select(n => n!.GetValue<string>()).ToList();
        var rows = (root["rows"] as JsonArray ?? throw new FormatException("paper reference: no 'rows'"))
            .Select(s => new PaperRow(Text(s!, "row"), Text(s!, "label"))).ToList();
        var aliases = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var m in root["models"] as JsonArray ?? [])
        {
            aliases[Text(m!, "model")] = [.. (m!["aliases"] as JsonArray ?? []).Select(a => Normalise(a!.GetValue<string>()))];
        }

        var values = new List<PaperValue>();
        foreach (var t in root["tables"] as JsonArray ?? throw new FormatException("paper reference: no 'tables'"))
        {
            var table = t!["table"]?.GetValue<int>() ?? throw new FormatException("paper reference: a table without 'table'");
            var training = Text(t, "training");
            var percent = (t["percent"] as JsonArray ?? []).Select(p => p!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            foreach (var c in t["columns"] as JsonArray ?? throw new FormatException($"paper reference: table {table} has no 'columns'"))
            {
                var model = Text(c!, "model");
                if (!aliases.ContainsKey(model))
                {
                    throw new FormatException($"paper reference: table {table} names model '{model}', which 'models' does not list");
                }

                var dataset = Text(c!, "dataset");
                foreach (var (row, cell) in c!["values"] as JsonObject ?? throw new FormatException($"paper reference: table {table}, {model} ({dataset}) has no 'values'"))
                {
                    if (!rows.Any(s => s.Row == row))
                    {
                        throw new FormatException($"paper reference: table {table}, {model} ({dataset}): unknown row '{row}'");
                    }

                    var mark = cell!["mark"]?.GetValue<string>();
                    foreach (var (metric, value) in cell.AsObject().Where(p => p.Key != "mark"))
                    {
                        var v = value!.GetValue<double>();
                        values.Add(new PaperValue(table, model, dataset, training, row, metric, percent.Contains(metric) ? v / 100 : v, mark));
                    }
                }
            }
        }

        return new PaperReference(source, notes, rows, values, aliases);
    }

    /// <summary>The printed label of a row ("SHSY5Y" → "SH-SY5Y"); the row itself when the paper has no such row.</summary>
    public string LabelOf(string row) => Rows.FirstOrDefault(s => s.Row == row)?.Label ?? row;

    /// <summary>Parses a run's model name ("U-Net SH-SY5Y (EL)", "CenterMask (L)", "unet+synthetic") into family, dataset and cell type.</summary>
    public static ModelNameParts ParseModelName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var dataset = "L";
        var text = name.Trim();
        if (text.EndsWith("+synthetic", StringComparison.OrdinalIgnoreCase))
        {
            dataset = "EL";
            text = text[..^"+synthetic".Length];
        }

        string? cellType = null;
        var family = new List<string>();
        foreach (var token in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var bare = token.Trim('(', ')');
            if (token.StartsWith('(') && token.EndsWith(')') && bare is "L" or "EL" or "l" or "el")
            {
                dataset = bare.ToUpperInvariant();
                continue;
            }

            var type = CellTypes.All.FirstOrDefault(t => Normalise(t) == Normalise(bare));
            if (type is not null)
            {
                cellType = type;
                continue;
            }

            family.Add(token);
        }

        return new ModelNameParts(string.Join(' ', family), dataset, cellType);
    }

    /// <summary>
    /// The paper's value for a run's model on a row and metric, or null when the paper has none: the model's family
    /// must be one of the paper model's aliases, the dataset must agree, and a model trained on one cell type matches
    /// only the single-cell-type tables' row of that cell type.
    /// </summary>
    public PaperValue? Find(string runModel, string row, string metric)
    {
        var parts = ParseModelName(runModel);
        var family = Normalise(parts.Family);
        var training = parts.CellType is null ? "LIVECell-wide" : "single cell type";
        if (parts.CellType is not null && parts.CellType != row)
        {
            return null;
        }

        return Values.FirstOrDefault(v =>
            v.Training == training && v.Dataset == parts.Dataset && v.Row == row &&
            v.Metric.Equals(metric, StringComparison.OrdinalIgnoreCase) &&
            _aliases.TryGetValue(v.Model, out var names) && names.Contains(family));
    }

    private static string Text(JsonNode node, string field) =>
        node[field]?.GetValue<string>() ?? throw new FormatException($"paper reference: missing '{field}'");

    private static string Normalise(string name) => new([.. name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);
}
