using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace CellSeg.Data.Livecell;

/// <summary>
/// The parts of a LIVECell image file name,
/// <c>&lt;CellType&gt;_Phase_&lt;Well&gt;_&lt;Location&gt;_&lt;dd&gt;d&lt;hh&gt;h&lt;mm&gt;m_&lt;Crop&gt;.tif</c>,
/// e.g. <c>SkBr3_Phase_H3_2_02d16h00m_4.tif</c>: cell type SkBr3, well H3, location 2 in the well,
/// imaged 2 days 16 hours after the time-lapse began, crop 4 of the full frame.
/// </summary>
/// <param name="CellType">One of <see cref="CellTypes.All"/>, spelled as the file name spells it.</param>
/// <param name="Well">Plate well, a row letter and a column number (e.g. <c>A10</c>).</param>
/// <param name="Location">Imaging location within the well.</param>
/// <param name="Elapsed">Time since the start of the time-lapse.</param>
/// <param name="Crop">Which crop of the full microscope frame this image is.</param>
public sealed partial record LivecellImageName(string CellType, string Well, int Location, TimeSpan Elapsed, int Crop)
{
    /// <summary>Parses a file name; a folder part is ignored and so is the extension.</summary>
    /// <exception cref="DataFormatException">The name does not follow the LIVECell pattern or names an unknown cell type.</exception>
    public static LivecellImageName Parse(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        return TryParse(fileName, out var name)
            ? name
            : throw new DataFormatException(
                fileName,
                null,
                "file name is not a LIVECell image name <CellType>_Phase_<Well>_<Location>_<dd>d<hh>h<mm>m_<Crop>.tif " +
                $"with a cell type among {string.Join(", ", CellTypes.All)}");
    }

    /// <summary>As <see cref="Parse"/>, but returns false instead of throwing.</summary>
    public static bool TryParse(string? fileName, [NotNullWhen(true)] out LivecellImageName? name)
    {
        name = null;
        if (string.IsNullOrEmpty(fileName))
        {
            return false;
        }

        var match = Pattern().Match(Path.GetFileNameWithoutExtension(Path.GetFileName(fileName)));
        if (!match.Success || !CellTypes.TryFromFileName(match.Groups["type"].Value + "_", out var cellType))
        {
            return false;
        }

        var hours = Number(match, "h");
        var minutes = Number(match, "m");
        if (hours > 23 || minutes > 59)
        {
            return false;
        }

        var elapsed = new TimeSpan(Number(match, "d"), hours, minutes, 0);
        name = new LivecellImageName(cellType, match.Groups["well"].Value, Number(match, "loc"), elapsed, Number(match, "crop"));
        return true;
    }

    /// <summary>The file name this record was parsed from, with the given extension.</summary>
    public string ToFileName(string extension = ".tif") =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{CellType}_Phase_{Well}_{Location}_{(int)Elapsed.TotalDays:00}d{Elapsed.Hours:00}h{Elapsed.Minutes:00}m_{Crop}{extension}");

    private static int Number(Match match, string group) =>
        int.Parse(match.Groups[group].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?<type>[A-Za-z0-9]+)_Phase_(?<well>[A-Z][0-9]{1,2})_(?<loc>[0-9]{1,3})_(?<d>[0-9]{2})d(?<h>[0-9]{2})h(?<m>[0-9]{2})m_(?<crop>[0-9]{1,3})$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
