namespace CellSeg.Data.Json;

/// <summary>
/// Converts the common short JSON numbers (<c>-?digits[.digits]</c>, at most 15 digits) to doubles
/// without the general parser. Polygon files are almost nothing but such numbers (26 million in a
/// LIVECell-sized file), and the general conversion costs most of the parse.
/// </summary>
/// <remarks>
/// Exact by construction (Clinger's fast path): a mantissa of at most 15 digits and 10^e for e ≤ 22
/// are both exact doubles, and one IEEE division rounds correctly, so the result is the correctly
/// rounded value of the decimal — the same double that Python's <c>float()</c> and .NET's parser give.
/// </remarks>
internal static class FastDecimal
{
    private static readonly double[] PowersOfTen =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
    ];

    /// <summary>Converts <paramref name="number"/> when it has the short form; false (nothing decided) otherwise.</summary>
    public static bool TryParse(ReadOnlySpan<byte> number, out double value)
    {
        value = 0;
        var i = 0;
        var negative = false;
        if (number.Length > 0 && number[0] == (byte)'-')
        {
            negative = true;
            i = 1;
        }

        long mantissa = 0;
        var digits = 0;
        var fraction = -1;
        for (; i < number.Length; i++)
        {
            var d = (uint)(number[i] - (byte)'0');
            if (d <= 9)
            {
                mantissa = mantissa * 10 + d;
                digits++;
            }
            else if (number[i] == (byte)'.' && fraction < 0)
            {
                fraction = digits;
            }
            else
            {
                return false;
            }
        }

        if (digits == 0 || digits > 15)
        {
            return false;
        }

        var scale = fraction < 0 ? 0 : digits - fraction;
        value = mantissa / PowersOfTen[scale];
        if (negative)
        {
            value = -value;
        }

        return true;
    }
}
