namespace CellSegFlows.Server.Api;

/// <summary>One line of a diff: <c>" "</c> kept, <c>"-"</c> only in the old text, <c>"+"</c> only in the new one.</summary>
public sealed record DiffLine(string Op, string Text, int? OldLine, int? NewLine);

/// <summary>A line diff by longest common subsequence (definitions are a few hundred lines, so O(n·m) is fine).</summary>
public static class LineDiff
{
    /// <summary>Lines of <paramref name="oldText"/> and <paramref name="newText"/> in order, marked kept, removed or added.</summary>
    public static IReadOnlyList<DiffLine> Compute(string oldText, string newText)
    {
        var a = Split(oldText);
        var b = Split(newText);
        if ((long)a.Length * b.Length > 25_000_000)
        {
            throw new ArgumentException($"texts too long to diff ({a.Length} and {b.Length} lines)");
        }

        // lcs[i, j] = length of the longest common subsequence of a[i..] and b[j..].
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var result = new List<DiffLine>(a.Length + b.Length);
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                result.Add(new DiffLine(" ", a[x], x + 1, y + 1));
                x++;
                y++;
            }
            else if (x < a.Length && (y == b.Length || lcs[x + 1, y] >= lcs[x, y + 1]))
            {
                // Removals first, as unified diffs show them.
                result.Add(new DiffLine("-", a[x], x + 1, null));
                x++;
            }
            else
            {
                result.Add(new DiffLine("+", b[y], null, y + 1));
                y++;
            }
        }

        return result;
    }

    private static string[] Split(string text) => text.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n').Split('\n');
}
