using System.Globalization;
using System.Text;

namespace CellSeg.Bench.Generation;

/// <summary>
/// Writes JSON byte for byte as Python's <c>json.dump</c> does with its defaults (", " and ": "
/// separators, floats in repr form such as <c>161.0</c>, non-ASCII escaped), which is how LIVECell's
/// files were written. Generated files then have the real files' size per record, so MB/s figures
/// transfer to the real data.
/// </summary>
/// <remarks>Buffers in memory; the caller awaits <see cref="FlushIfFullAsync"/> between records.</remarks>
internal sealed class PythonJsonWriter(Stream stream)
{
    private const int FlushAt = 1 << 20;
    private byte[] _buffer = new byte[2 << 20];
    private int _length;

    public long BytesWritten { get; private set; }

    public void Raw(string ascii)
    {
        Ensure(Encoding.UTF8.GetMaxByteCount(ascii.Length));
        _length += Encoding.UTF8.GetBytes(ascii, _buffer.AsSpan(_length));
    }

    public void Int(long value)
    {
        Ensure(24);
        value.TryFormat(_buffer.AsSpan(_length), out var n, default, CultureInfo.InvariantCulture);
        _length += n;
    }

    /// <summary>A float as Python's <c>repr</c>: shortest round-trip digits, with ".0" when integral.</summary>
    public void Float(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "JSON has no NaN or infinity");
        }

        Ensure(40);
        var span = _buffer.AsSpan(_length);
        value.TryFormat(span, out var n, "R", CultureInfo.InvariantCulture);
        var written = span[..n];
        var exponent = written.IndexOf((byte)'E');
        if (exponent >= 0)
        {
            written[exponent] = (byte)'e';
        }
        else if (written.IndexOf((byte)'.') < 0)
        {
            span[n++] = (byte)'.';
            span[n++] = (byte)'0';
        }

        _length += n;
    }

    /// <summary>A string with <c>ensure_ascii</c> escaping.</summary>
    public void String(string value)
    {
        Ensure(value.Length * 6 + 2);
        var span = _buffer.AsSpan();
        span[_length++] = (byte)'"';
        foreach (var c in value)
        {
            switch (c)
            {
                case '"':
                    Ascii("\\\"");
                    break;
                case '\\':
                    Ascii("\\\\");
                    break;
                case '\n':
                    Ascii("\\n");
                    break;
                case '\r':
                    Ascii("\\r");
                    break;
                case '\t':
                    Ascii("\\t");
                    break;
                case '\b':
                    Ascii("\\b");
                    break;
                case '\f':
                    Ascii("\\f");
                    break;
                default:
                    if (c < 0x20 || c > 0x7e)
                    {
                        Ascii("\\u" + ((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        span[_length++] = (byte)c;
                    }

                    break;
            }
        }

        span[_length++] = (byte)'"';
    }

    /// <summary><c>"name": </c></summary>
    public void Name(string name)
    {
        String(name);
        Raw(": ");
    }

    public async ValueTask FlushIfFullAsync(CancellationToken ct)
    {
        if (_length >= FlushAt)
        {
            await FlushAsync(ct).ConfigureAwait(false);
        }
    }

    public async ValueTask FlushAsync(CancellationToken ct)
    {
        await stream.WriteAsync(_buffer.AsMemory(0, _length), ct).ConfigureAwait(false);
        BytesWritten += _length;
        _length = 0;
    }

    private void Ascii(string text)
    {
        foreach (var c in text)
        {
            _buffer[_length++] = (byte)c;
        }
    }

    private void Ensure(int bytes)
    {
        if (_length + bytes > _buffer.Length)
        {
            Array.Resize(ref _buffer, Math.Max(_buffer.Length * 2, _length + bytes));
        }
    }
}
