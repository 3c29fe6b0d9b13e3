using System.Buffers;

namespace CellSeg.Data.Json;

/// <summary>
/// Byte scans that find where a JSON value ends without tokenising it. A list of a million records is
/// otherwise tokenised twice (once to find each record's end, once to parse it); these scans jump
/// between the few bytes that matter with vectorised searches, and the record parser's own reader
/// still checks every token, so malformed JSON is caught all the same.
/// </summary>
internal static class JsonScan
{
    private static readonly SearchValues<byte> Structural = SearchValues.Create("{}[]\""u8);
    private static readonly SearchValues<byte> StringSpecial = SearchValues.Create("\"\\"u8);
    private static readonly SearchValues<byte> Whitespace = SearchValues.Create(" \t\r\n"u8);

    /// <summary>
    /// Length of the object or list that starts at <paramref name="json"/>[0], up to and including the
    /// bracket that closes it; −1 when it does not close inside <paramref name="json"/> (more input needed).
    /// Brackets inside strings are skipped; bracket kinds are not matched here (the parser does that).
    /// </summary>
    public static int ContainerLength(ReadOnlySpan<byte> json)
    {
        var depth = 0;
        var i = 0;
        while (true)
        {
            var k = json[i..].IndexOfAny(Structural);
            if (k < 0)
            {
                return -1;
            }

            i += k;
            switch (json[i])
            {
                case (byte)'{' or (byte)'[':
                    depth++;
                    i++;
                    break;
                case (byte)'}' or (byte)']':
                    depth--;
                    i++;
                    if (depth == 0)
                    {
                        return i;
                    }

                    break;
                default:
                    i = StringEnd(json, i + 1);
                    if (i < 0)
                    {
                        return -1;
                    }

                    break;
            }
        }
    }

    /// <summary>
    /// Index of the first byte that is not whitespace or a comment at or after <paramref name="start"/>;
    /// −1 when the span ends first (more input needed), −2 when a '/' starts no comment.
    /// </summary>
    public static int SkipInsignificant(ReadOnlySpan<byte> json, int start)
    {
        var i = start;
        while (true)
        {
            var k = json[i..].IndexOfAnyExcept(Whitespace);
            if (k < 0)
            {
                return -1;
            }

            i += k;
            if (json[i] != (byte)'/')
            {
                return i;
            }

            if (i + 1 >= json.Length)
            {
                return -1;
            }

            if (json[i + 1] == (byte)'/')
            {
                var end = json[(i + 2)..].IndexOf((byte)'\n');
                if (end < 0)
                {
                    return -1;
                }

                i += 2 + end + 1;
            }
            else if (json[i + 1] == (byte)'*')
            {
                var end = json[(i + 2)..].IndexOf("*/"u8);
                if (end < 0)
                {
                    return -1;
                }

                i += 2 + end + 2;
            }
            else
            {
                return -2;
            }
        }
    }

    /// <summary>Index just past the closing quote of a string whose body starts at <paramref name="i"/>; −1 if it does not end.</summary>
    private static int StringEnd(ReadOnlySpan<byte> json, int i)
    {
        while (true)
        {
            var k = json[i..].IndexOfAny(StringSpecial);
            if (k < 0)
            {
                return -1;
            }

            i += k;
            if (json[i] == (byte)'"')
            {
                return i + 1;
            }

            // A backslash escapes the next byte (\" or \\); \uXXXX needs no care here.
            i += 2;
            if (i > json.Length)
            {
                return -1;
            }
        }
    }
}
