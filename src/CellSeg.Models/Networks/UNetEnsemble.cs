using CellSeg.Models.Torch;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace CellSeg.Models.Networks;

/// <summary>
/// The paper's deep U-Net ensemble: one member network per cell type. An image of a known cell type is
/// segmented by its member; an image of unknown type gets the mean of all members' probabilities.
/// </summary>
public sealed class UNetEnsemble : Module<Tensor, Tensor>
{
    private readonly ModuleDict<UNet> members = new();

    /// <summary>Builds one member per cell type, in the given order, each with the same shape.</summary>
    public UNetEnsemble(UNetOptions memberOptions, IReadOnlyList<string> cellTypes)
        : base(nameof(UNetEnsemble))
    {
        ArgumentNullException.ThrowIfNull(memberOptions);
        ArgumentNullException.ThrowIfNull(cellTypes);
        if (cellTypes.Count == 0 || cellTypes.Distinct(StringComparer.Ordinal).Count() != cellTypes.Count)
        {
            throw new ArgumentException("an ensemble needs at least one cell type, each named once", nameof(cellTypes));
        }

        MemberOptions = memberOptions;
        CellTypes = [.. cellTypes];
        foreach (var cellType in cellTypes)
        {
            members.Add((cellType, new UNet(memberOptions)));
        }

        RegisterComponents();
    }

    /// <summary>The shape of every member.</summary>
    public UNetOptions MemberOptions { get; }

    /// <summary>The cell types, one member each, in order.</summary>
    public IReadOnlyList<string> CellTypes { get; }

    /// <summary>The member for a cell type.</summary>
    /// <exception cref="KeyNotFoundException">No member for that cell type.</exception>
    public UNet Member(string cellType) =>
        members.TryGetValue(cellType, out var member) && member is not null
            ? member
            : throw new KeyNotFoundException($"the ensemble has no member for cell type '{cellType}' (members: {string.Join(", ", CellTypes)})");

    /// <summary>
    /// Foreground probabilities N×Classes×H×W: the member of <paramref name="cellType"/> when it has one,
    /// else the mean over all members.
    /// </summary>
    public Tensor Predict(Tensor input, string? cellType)
    {
        if (cellType is not null && members.TryGetValue(cellType, out var member) && member is not null)
        {
            using var logits = member.forward(input);
            return sigmoid(logits);
        }

        using var scope = NewDisposeScope();
        Tensor? sum = null;
        foreach (var name in CellTypes)
        {
            var p = sigmoid(members[name].forward(input));
            sum = sum is null ? p : sum.Plus(p);
        }

        return sum!.Over(CellTypes.Count).MoveToOuterDisposeScope();
    }

    /// <summary>Logits of the mean probability over all members (for a module-style call).</summary>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var p = Predict(input, null).ClampTo(1e-7, 1 - 1e-7);
        return torch.log(p / p.Subtracted(1)).MoveToOuterDisposeScope();
    }
}
