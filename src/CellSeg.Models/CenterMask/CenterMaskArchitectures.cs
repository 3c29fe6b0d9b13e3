namespace CellSeg.Models.CenterMask;

/// <summary>
/// The CenterMask networks by the names workflows and notebooks use: one place that turns a name into a
/// <see cref="CenterMaskConfig"/>, so every caller agrees on what <c>"lite-v19-slim-dw"</c> means.
/// </summary>
public static class CenterMaskArchitectures
{
    /// <summary>The paper's CenterMask-Lite V-19-slim-DW-eSE (<see cref="CenterMaskConfig"/>'s defaults).</summary>
    public const string LiteV19SlimDw = "lite-v19-slim-dw";

    /// <summary>The LIVECell authors' V-99-eSE (<see cref="CenterMaskConfig.LivecellV99"/>), e.g. to evaluate their released model.</summary>
    public const string LivecellV99 = "livecell-v99";

    /// <summary>Every architecture name.</summary>
    public static IReadOnlyList<string> Names { get; } = [LiteV19SlimDw, LivecellV99];

    /// <summary>The network of <paramref name="name"/>, or null for a name not in <see cref="Names"/>.</summary>
    public static CenterMaskConfig? Find(string name) => name switch
    {
        LiteV19SlimDw => new CenterMaskConfig(),
        LivecellV99 => CenterMaskConfig.LivecellV99,
        _ => null,
    };

    /// <summary>The network of <paramref name="name"/>.</summary>
    /// <exception cref="ArgumentException">A name not in <see cref="Names"/> (the message lists them).</exception>
    public static CenterMaskConfig Get(string name) =>
        Find(name) ?? throw new ArgumentException($"architecture '{name}' is not one of {string.Join(", ", Names)}");
}
