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

    /// <summary>Reads the elements of the list whose start token was already read (e.g. a top-level list).</summary>
    public bool ReadArrayElements(JsonValueHandler handler)
    {
        while (true)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var reader = NewReader();
            var committed = 0L;
            var committedState = _state;
            var done = false;
            while (true)
            {
                if (!Read(ref reader))
                {
                    break;
                }

                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    committed = reader.BytesConsumed;
                    committedState = reader.CurrentState;
                    done = true;
                    break;
                }

                var startIndex = (int)reader.TokenStartIndex;
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && !TrySkip(ref reader))
                {
                    break;
                }

                var length = (int)reader.BytesConsumed - startIndex;
                handler(_buffer.AsSpan(_start + startIndex, length), _bufferOffset + _start + startIndex);
                committed = reader.BytesConsumed;
                committedState = reader.CurrentState;
            }

            _start += (int)committed;
            _state = committedState;
            ReportProgress();
            if (done)
            {
                return true;
            }

            RefillOrThrow();
        }
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
        _start += (int)reader.BytesConsumed;
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
