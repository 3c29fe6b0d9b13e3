using System.Text;
using System.Text.Json;

namespace CellSeg.Data.Json;

/// <summary>Handles one complete JSON value (an array element or a property value) read from a large file.</summary>
/// <param name="json">The value's bytes, complete and self-contained.</param>
/// <param name="offset">Byte offset of the value in the file, for error messages.</param>
internal delegate void JsonValueHandler(ReadOnlySpan<byte> json, long offset);

/// <summary>
/// Walks a JSON file of any size with <see cref="Utf8JsonReader"/> over a sliding buffer, handing out
/// the elements of large arrays one complete value at a time. Memory stays at the size of the largest
/// single element, not of the file.
/// </summary>
internal sealed class JsonChunkedReader : IDisposable
{
    private const int InitialBufferSize = 1 << 20;

    private readonly Stream _stream;
    private readonly string _path;
    private readonly long _length;
    private readonly IProgress<long>? _progress;
    private readonly CancellationToken _cancellationToken;
    private byte[] _buffer = new byte[InitialBufferSize];
    private int _start;
    private int _end;
    private long _bufferOffset;
    private bool _eof;
    private JsonReaderState _state = new(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
    private long _lastProgress;
    private long _newlines;
    private long _lineStart;

    public JsonChunkedReader(Stream stream, string path, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        _stream = stream;
        _path = path;
        _length = stream.CanSeek ? stream.Length : -1;
        _progress = progress;
        _cancellationToken = cancellationToken;
    }

    public string Path => _path;

    public long Length => _length;

    /// <summary>Absolute file offset of the next unread byte.</summary>
    public long Position => _bufferOffset + _start;

    /// <summary>Reads the first token and says whether the document is an object or an array.</summary>
    public JsonTokenType ReadDocumentStart()
    {
        while (true)
        {
            var reader = NewReader();
            if (Read(ref reader))
            {
                if (reader.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
                {
                    throw Error(reader.TokenStartIndex, $"the file must hold a JSON object or list, found {Describe(reader.TokenType)}");
                }

                Commit(ref reader);
                return reader.TokenType;
            }

            if (!Refill())
            {
                throw Error(0, "the file is empty");
            }
        }
    }

    /// <summary>Reads the next property name of the current object, or returns false at its end.</summary>
    public bool TryReadPropertyName(out string name)
    {
        while (true)
        {
            var reader = NewReader();
            if (Read(ref reader))
            {
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    Commit(ref reader);
                    name = string.Empty;
                    return false;
                }

                name = reader.GetString()!;
                Commit(ref reader);
                return true;
            }

            RefillOrThrow();
        }
    }

    /// <summary>Returns the next value (of any kind) as its raw bytes.</summary>
    public byte[] ReadRawValue(out long offset)
    {
        while (true)
        {
            var reader = NewReader();
            if (Read(ref reader))
            {
                var startIndex = (int)reader.TokenStartIndex;
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !TrySkip(ref reader))
                {
                    RefillOrThrow();
                    continue;
                }

                offset = _bufferOffset + _start + startIndex;
                var bytes = _buffer.AsSpan(_start + startIndex, (int)reader.BytesConsumed - startIndex).ToArray();
                Commit(ref reader);
                return bytes;
            }

            RefillOrThrow();
        }
    }

    /// <summary>Skips the next value.</summary>
    public void SkipValue() => ReadRawValue(out _);

    /// <summary>
    /// Reads a list value element by element, calling <paramref name="handler"/> with each complete
    /// element. Returns false (consuming the value) when the value is not a list.
    /// </summary>
    public bool ReadArray(JsonValueHandler handler, out JsonTokenType foundInstead)
    {
        foundInstead = JsonTokenType.None;
        while (true)
        {
            var reader = NewReader();
            if (!Read(ref reader))
            {
                RefillOrThrow();
                continue;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                foundInstead = reader.TokenType;
                if (reader.TokenType == JsonTokenType.StartObject && !TrySkip(ref reader))
                {
                    RefillOrThrow();
                    continue;
                }

                Commit(ref reader);
                return false;
            }

            Commit(ref reader);
            break;
        }

        return ReadArrayElements(handler);
    }

    /// <summary>
    /// Reads the elements of the list whose start token was already read (e.g. a top-level list).
    /// Objects are cut out with a byte scan (<see cref="JsonScan"/>) and tokenised only once, by the
    /// handler; other values go through <see cref="Utf8JsonReader"/>. A handler's
    /// <see cref="JsonException"/> (malformed JSON inside an element) becomes a
    /// <see cref="DataFormatException"/> naming the line and column in the file.
    /// </summary>
    public bool ReadArrayElements(JsonValueHandler handler)
    {
        // The reader state just after '[' stays valid for reading any element or the closing ']'.
        var listState = _state;
        var expectValue = true;
        var afterComma = false;
        while (true)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var window = _buffer.AsSpan(_start, _end - _start);
            var pos = 0;
            var done = false;
            while (true)
            {
                var next = JsonScan.SkipInsignificant(window, pos);
                if (next == -2)
                {
                    throw Error(pos, "malformed JSON: '/' that starts no comment");
                }

                if (next < 0)
                {
                    break;
                }

                var c = window[next];
                if (!expectValue)
                {
                    if (c == (byte)',')
                    {
                        pos = next + 1;
                        expectValue = true;
                        afterComma = true;
                        continue;
                    }

                    if (c != (byte)']')
                    {
                        throw Error(next, $"malformed JSON: expected ',' or ']' after a list element, found '{(char)c}'");
                    }

                    pos = next;
                    done = true;
                    break;
                }

                if (c == (byte)']' && afterComma)
                {
                    throw Error(next, "malformed JSON: a list must not end with a comma");
                }

                if (c == (byte)']')
                {
                    pos = next;
                    done = true;
                    break;
                }

                int end;
                if (c == (byte)'{')
                {
                    var length = JsonScan.ContainerLength(window[next..]);
                    if (length < 0)
                    {
                        break;
                    }

                    end = next + length;
                }
                else
                {
                    var reader = new Utf8JsonReader(window[next..], _eof, listState);
                    if (!Read(ref reader) || (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !TrySkip(ref reader)))
                    {
                        break;
                    }

                    end = next + (int)reader.BytesConsumed;
                }

                HandleElement(handler, window, next, end);
                pos = end;
                expectValue = false;
                afterComma = false;
            }

            Consume(pos);
            ReportProgress();
            if (done)
            {
                // Let the reader take the ']' so that the state after the list is its own.
                var reader = new Utf8JsonReader(_buffer.AsSpan(_start, _end - _start), _eof, listState);
                Read(ref reader);
                Commit(ref reader);
                return true;
            }

            RefillOrThrow();
        }
    }

    private void HandleElement(JsonValueHandler handler, ReadOnlySpan<byte> window, int start, int end)
    {
        var element = window[start..end];
        try
        {
            handler(element, Position + start);
        }
        catch (JsonException ex)
        {
            // The handler's reader counts lines and columns from the element's first byte.
            var at = 0;
            for (var line = 0L; line < (ex.LineNumber ?? 0); line++)
            {
                var nl = element[at..].IndexOf((byte)'\n');
                at = nl < 0 ? element.Length : at + nl + 1;
            }

            var index = (int)Math.Min(start + at + (ex.BytePositionInLine ?? 0), window.Length);
            throw new DataFormatException(_path, Location(index), "malformed JSON: " + FirstSentence(ex.Message), ex);
        }
    }

    /// <summary>"line L, column C" (1-based, columns in bytes) of a byte in the window.</summary>
    private string Location(int indexInWindow)
    {
        var before = _buffer.AsSpan(_start, indexInWindow);
        var lines = _newlines + before.Count((byte)'\n');
        var last = before.LastIndexOf((byte)'\n');
        var lineStart = last >= 0 ? Position + last + 1 : _lineStart;
        return $"line {lines + 1}, column {Position + indexInWindow - lineStart + 1}";
    }

    /// <summary>Moves past <paramref name="count"/> bytes, counting the lines they hold for error locations.</summary>
    private void Consume(int count)
    {
        var bytes = _buffer.AsSpan(_start, count);
        var lines = bytes.Count((byte)'\n');
        if (lines > 0)
        {
            _newlines += lines;
            _lineStart = Position + bytes.LastIndexOf((byte)'\n') + 1;
        }

        _start += count;
    }

    /// <summary>Checks that nothing but whitespace follows the document.</summary>
    public void ReadDocumentEnd()
    {
        _lastProgress = -1;
        ReportProgressNow();
        while (true)
        {
            var reader = NewReader();
            if (Read(ref reader))
            {
                throw Error(reader.TokenStartIndex, "unexpected content after the end of the JSON document");
            }

            if (!Refill())
            {
                ReportProgressNow();
                return;
            }
        }
    }

    public DataFormatException Error(long indexInWindow, string reason) =>
        new(_path, $"byte {_bufferOffset + _start + indexInWindow}", reason);

    public void Dispose() => _stream.Dispose();

    private Utf8JsonReader NewReader() => new(_buffer.AsSpan(_start, _end - _start), _eof, _state);

    private bool Read(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.Read();
        }
        catch (JsonException ex)
        {
            throw MalformedJson(ex);
        }
    }

    private bool TrySkip(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.TrySkip();
        }
        catch (JsonException ex)
        {
            throw MalformedJson(ex);
        }
    }

    private DataFormatException MalformedJson(JsonException ex)
    {
        var line = ex.LineNumber is { } l ? $"line {l + 1}" : "unknown line";
        if (_eof && (ex.Message.Contains("end of data", StringComparison.OrdinalIgnoreCase) || ex.Message.Contains("end of the JSON payload", StringComparison.OrdinalIgnoreCase)))
        {
            return new DataFormatException(_path, line, "the file ends in the middle of a JSON value (truncated?)", ex);
        }

        var column = ex.BytePositionInLine is { } c ? $", column {c + 1}" : string.Empty;
        return new DataFormatException(_path, line + column, "malformed JSON: " + FirstSentence(ex.Message), ex);
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut].TrimEnd() : message;
    }

    private void Commit(ref Utf8JsonReader reader)
    {
        Consume((int)reader.BytesConsumed);
        _state = reader.CurrentState;
    }

    private void RefillOrThrow()
    {
        if (!Refill())
        {
            throw new DataFormatException(_path, $"byte {Position}", "the file ends in the middle of a JSON value (truncated?)");
        }
    }

    /// <summary>Moves unread bytes to the front, grows the buffer when one value fills it, and reads more.</summary>
    private bool Refill()
    {
        if (_eof)
        {
            return false;
        }

        _cancellationToken.ThrowIfCancellationRequested();
        var unread = _end - _start;
        if (_start == 0 && _end == _buffer.Length)
        {
            Array.Resize(ref _buffer, _buffer.Length * 2);
        }
        else if (_start > 0)
        {
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, unread);
            _bufferOffset += _start;
            _start = 0;
            _end = unread;
        }

        while (_end < _buffer.Length)
        {
            var n = _stream.Read(_buffer, _end, _buffer.Length - _end);
            if (n == 0)
            {
                _eof = true;
                break;
            }

            _end += n;
        }

        ReportProgress();
        return true;
    }

    private void ReportProgress()
    {
        if (_progress is null)
        {
            return;
        }

        var position = Position;
        if (position - _lastProgress >= (4 << 20) || (_eof && _start == _end))
        {
            ReportProgressNow();
        }
    }

    private void ReportProgressNow()
    {
        var position = _eof ? _bufferOffset + _end : Position;
        if (_progress is not null && position != _lastProgress)
        {
            _lastProgress = position;
            _progress.Report(position);
        }
    }

    internal static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "a list",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => type.ToString(),
    };

    internal static string Utf8(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(bytes);
}
