using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CellSegFlows.Engine.Store;

namespace CellSegFlows.Engine.Hosting;

/// <summary>
/// What a runs list keeps: every field given must match (null means any). Times are on the run's start
/// (<see cref="RunRecord.CreatedAt"/>), both ends included. <see cref="Search"/> is a case-insensitive substring of a
/// parameter value (the text of a string value, the JSON of any other).
/// </summary>
public sealed record RunFilter
{
    /// <summary>The longest search text accepted.</summary>
    public const int MaxSearchLength = 200;

    /// <summary>Workflow id.</summary>
    public string? WorkflowId { get; init; }

    /// <summary>Definition hash (the exact version).</summary>
    public string? DefinitionHash { get; init; }

    /// <summary>Any of these statuses (empty or null: any).</summary>
    public IReadOnlyList<RunStatus>? Statuses { get; init; }

    /// <summary>Trigger kind (manual, cron, annotation, resume).</summary>
    public string? Trigger { get; init; }

    /// <summary>Who or what started it.</summary>
    public string? StartedBy { get; init; }

    /// <summary>Started at or after.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Started at or before.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Text to find in a parameter value.</summary>
    public string? Search { get; init; }
}

/// <summary>One page of runs, newest first, and the cursor of the next page (null on the last).</summary>
public sealed record RunPage(IReadOnlyList<RunRecord> Runs, string? NextCursor);

/// <summary>
/// The position after a run in the list's order (start time, then id, both descending). A cursor names a place, not
/// an offset, so a page continues where the last one ended however many runs started since.
/// </summary>
public static class RunCursor
{
    /// <summary>The cursor that continues after <paramref name="run"/>.</summary>
    public static string After(RunRecord run)
    {
        ArgumentNullException.ThrowIfNull(run);
        var text = run.CreatedAt.UtcTicks.ToString(CultureInfo.InvariantCulture) + "|" + run.Id;
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Reads a cursor written by <see cref="After"/>; false for anything else.</summary>
    public static bool TryRead(string? cursor, out DateTimeOffset createdAt, out string runId)
    {
        createdAt = default;
        runId = string.Empty;
        if (string.IsNullOrEmpty(cursor) || cursor.Length > 400)
        {
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(cursor);
        }
        catch (FormatException)
        {
            return false;
        }

        var text = Encoding.UTF8.GetString(bytes);
        var bar = text.IndexOf('|', StringComparison.Ordinal);
        if (bar <= 0 || bar == text.Length - 1
            || !long.TryParse(text.AsSpan(0, bar), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        createdAt = new DateTimeOffset(ticks, TimeSpan.Zero);
        runId = text[(bar + 1)..];
        return true;
    }

    /// <summary>Whether a parameter value of the run contains <paramref name="search"/> (case-insensitive).</summary>
    internal static bool ParameterValueContains(string parametersJson, string search)
    {
        using var document = JsonDocument.Parse(parametersJson);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return false;
        }

        foreach (var p in document.RootElement.EnumerateObject())
        {
            var value = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            if (value.Contains(search, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }
}
