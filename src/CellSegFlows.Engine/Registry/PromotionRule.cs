using System.Globalization;

namespace CellSegFlows.Engine.Registry;

/// <summary>
/// The champion/challenger gate: a challenger replaces the champion only when it is better on the metric by at
/// least the margin (and better at all: a tie never promotes). With no champion the challenger is promoted.
/// </summary>
/// <param name="Metric">The metric's name, for the reason text (e.g. <c>F1</c>, <c>AFNR/MCF7</c>).</param>
/// <param name="Margin">How much better the challenger must be, in the metric's units (0 or more).</param>
/// <param name="HigherIsBetter">True for F1 and AP; false for AFNR.</param>
public sealed record PromotionRule(string Metric, double Margin, bool HigherIsBetter)
{
    /// <summary>Whether the challenger wins, and why in words.</summary>
    /// <param name="challenger">The challenger's score.</param>
    /// <param name="champion">The champion's score on the same split; null when there is no champion.</param>
    public (bool Promote, string Reason) Decide(double challenger, double? champion)
    {
        var c = CultureInfo.InvariantCulture;
        if (!double.IsFinite(challenger))
        {
            return (false, $"the challenger's {Metric} is not a number (no cells found or predicted?)");
        }

        if (champion is null)
        {
            return (true, string.Create(c, $"no champion yet; the challenger's {Metric} is {challenger:0.0000}"));
        }

        if (!double.IsFinite(champion.Value))
        {
            return (true, string.Create(c, $"the champion's {Metric} is not a number on this split; the challenger's is {challenger:0.0000}"));
        }

        var gain = HigherIsBetter ? challenger - champion.Value : champion.Value - challenger;
        var direction = HigherIsBetter ? "higher" : "lower";
        var text = string.Create(c, $"{Metric} {challenger:0.0000} vs the champion's {champion.Value:0.0000} ({direction} is better; gain {gain:+0.0000;-0.0000;0}, margin {Margin:0.0000})");

        // A tiny tolerance, so a gain equal to the margin in decimal is not lost to binary rounding.
        var promote = gain > 0 && gain >= Margin - 1e-12;
        return (promote, promote ? "better by the margin: " + text : "not better by the margin: " + text);
    }
}
