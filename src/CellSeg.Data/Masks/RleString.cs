namespace CellSeg.Data.Masks;

/// <summary>
/// COCO's compressed RLE text: each count as a little-endian sequence of 5-bit groups with a
/// continuation bit, offset by 48 into printable ASCII; from the third count on, each is stored as
/// the difference to the count two places earlier (<c>rleToString</c>/<c>rleFrString</c>).
/// </summary>
public static class RleString
{
    /// <summary>Encodes run lengths.</summary>
    public static string Encode(ReadOnlySpan<uint> counts)
    {
        var chars = new char[counts.Length * 7];
        var p = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            long x = counts[i];
            if (i > 2)
            {
                x -= counts[i - 2];
            }

            var more = true;
            while (more)
            {
                var c = (int)(x & 0x1f);
                x >>= 5;
                more = (c & 0x10) != 0 ? x != -1 : x != 0;
                if (more)
                {
                    c |= 0x20;
                }

                chars[p++] = (char)(c + 48);
            }
        }

        return new string(chars, 0, p);
    }

    /// <summary>Decodes run lengths.</summary>
    /// <exception cref="FormatException">A character is outside '0'..'o' or the string ends mid-number.</exception>
    public static uint[] Decode(string s)
    {
        ArgumentNullException.ThrowIfNull(s);
        var cnts = new uint[s.Length];
        int m = 0, p = 0;
        while (p < s.Length)
        {
            long x = 0;
            var k = 0;
            var more = true;
            while (more)
            {
                if (p >= s.Length)
                {
                    throw new FormatException($"compressed RLE ends in the middle of a number (at character {p})");
                }

                var c = s[p] - 48;
                if (c < 0 || c > 63)
                {
                    throw new FormatException($"compressed RLE has an invalid character '{s[p]}' at position {p}");
                }

                x |= (long)(c & 0x1f) << (5 * k);
                more = (c & 0x20) != 0;
                p++;
                k++;
                if (!more && (c & 0x10) != 0)
                {
                    x |= -1L << (5 * k);
                }
            }

            if (m > 2)
            {
                x += cnts[m - 2];
            }

            cnts[m++] = (uint)x;
        }

        return m == cnts.Length ? cnts : cnts[..m];
    }
}
