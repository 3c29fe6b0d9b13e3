using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CellSeg.Data.Tests.Download;

/// <summary>What the server does to one request (consumed in order; <see cref="Normal"/> once the queue is empty).</summary>
public abstract record Fault
{
    /// <summary>Serve the file, honouring Range.</summary>
    public static Fault Normal { get; } = new NormalFault();

    public sealed record NormalFault : Fault;

    /// <summary>Answer with this status and no body (and a Retry-After header when given).</summary>
    public sealed record Status(int Code, int? RetryAfterSeconds = null) : Fault;

    /// <summary>Announce the full length, send this many body bytes, then close the connection.</summary>
    public sealed record DropAfter(int Bytes) : Fault;

    /// <summary>Send this many body bytes, then go silent for a while before sending the rest.</summary>
    public sealed record StallAfter(int Bytes, TimeSpan Delay) : Fault;

    /// <summary>Wait before sending the headers.</summary>
    public sealed record DelayHeaders(TimeSpan Delay) : Fault;

    /// <summary>Announce and send this many bytes of the file (padded with zeros when longer).</summary>
    public sealed record WrongLength(int Length) : Fault;

    /// <summary>Serve the file with one byte flipped.</summary>
    public sealed record Corrupt(int At) : Fault;

    /// <summary>Ignore a Range header: 200 with the whole file.</summary>
    public sealed record IgnoreRange : Fault;

    /// <summary>Answer 302 with this Location (absolute or relative).</summary>
    public sealed record Redirect(string Location) : Fault;
}

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 (ephemeral port) written on raw sockets, so that tests control
/// every byte: it can drop a connection mid-body, lie about the length, stall, or corrupt data.
/// One request per connection (<c>Connection: close</c>).
/// </summary>
public sealed class FaultyHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentQueue<Fault> _faults = new();
    private readonly Dictionary<string, byte[]> _files;
    private readonly Task _loop;

    public FaultyHttpServer(IReadOnlyDictionary<string, byte[]> files)
    {
        _files = files.ToDictionary(kv => "/" + kv.Key.TrimStart('/'), kv => kv.Value, StringComparer.Ordinal);
        _listener.Start();
        BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _loop = Task.Run(AcceptLoopAsync);
    }

    public Uri BaseUrl { get; }

    /// <summary>Every request seen: path and Range header (null when none).</summary>
    public ConcurrentQueue<(string Path, string? Range)> Requests { get; } = new();

    public void Enqueue(params Fault[] faults)
    {
        foreach (var fault in faults)
        {
            _faults.Enqueue(fault);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(async () =>
            {
                using (client)
                {
                    try
                    {
                        await ServeAsync(client.GetStream());
                    }
                    catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
                    {
                        // The client went away (e.g. it timed out): nothing to do.
                    }
                }
            });
        }
    }

    private async Task ServeAsync(NetworkStream stream)
    {
        var head = await ReadHeadAsync(stream);
        if (head is null)
        {
            return;
        }

        var lines = head.Split("\r\n");
        var path = Uri.UnescapeDataString(lines[0].Split(' ')[1]);
        var range = lines.Skip(1).Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[0].Trim().Equals("Range", StringComparison.OrdinalIgnoreCase)).Select(p => p[1].Trim()).FirstOrDefault();
        Requests.Enqueue((path, range));
        var fault = _faults.TryDequeue(out var f) ? f : Fault.Normal;

        if (fault is Fault.DelayHeaders delay)
        {
            await Task.Delay(delay.Delay, _stop.Token);
        }

        if (fault is Fault.Redirect redirect)
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 302 Found\r\nLocation: {redirect.Location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
            return;
        }

        if (fault is Fault.Status status)
        {
            await WriteHeadAsync(stream, status.Code, "Fault", 0, null, status.RetryAfterSeconds);
            return;
        }

        if (!_files.TryGetValue(path, out var content))
        {
            await WriteHeadAsync(stream, 404, "Not Found", 0, null);
            return;
        }

        long start = 0;
        if (range is not null && fault is not Fault.IgnoreRange && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
        {
            start = long.Parse(range[6..^1], System.Globalization.CultureInfo.InvariantCulture);
            if (start >= content.Length)
            {
                await WriteHeadAsync(stream, 416, "Range Not Satisfiable", 0, $"bytes */{content.Length}");
                return;
            }
        }

        var body = content.AsSpan((int)start).ToArray();
        switch (fault)
        {
            case Fault.Corrupt corrupt:
                body[corrupt.At] ^= 0xFF;
                break;
            case Fault.WrongLength wrong:
                Array.Resize(ref body, wrong.Length);
                break;
        }

        var partial = start > 0;
        await WriteHeadAsync(stream, partial ? 206 : 200, partial ? "Partial Content" : "OK", body.Length, partial ? $"bytes {start}-{content.Length - 1}/{content.Length}" : null);
        if (fault is Fault.DropAfter drop)
        {
            await stream.WriteAsync(body.AsMemory(0, Math.Min(drop.Bytes, body.Length)));
            await stream.FlushAsync();
            return; // closing with bytes still owed
        }

        if (fault is Fault.StallAfter stall)
        {
            await stream.WriteAsync(body.AsMemory(0, stall.Bytes));
            await stream.FlushAsync();
            await Task.Delay(stall.Delay, _stop.Token);
            await stream.WriteAsync(body.AsMemory(stall.Bytes));
            return;
        }

        await stream.WriteAsync(body);
        await stream.FlushAsync();
    }

    private static async Task WriteHeadAsync(NetworkStream stream, int code, string reason, long length, string? contentRange, int? retryAfter = null)
    {
        var head = new StringBuilder()
            .Append(System.Globalization.CultureInfo.InvariantCulture, $"HTTP/1.1 {code} {reason}\r\n")
            .Append(System.Globalization.CultureInfo.InvariantCulture, $"Content-Length: {length}\r\n")
            .Append("Accept-Ranges: bytes\r\nConnection: close\r\nContent-Type: application/octet-stream\r\n");
        if (retryAfter is not null)
        {
            head.Append(System.Globalization.CultureInfo.InvariantCulture, $"Retry-After: {retryAfter}\r\n");
        }

        if (contentRange is not null)
        {
            head.Append(System.Globalization.CultureInfo.InvariantCulture, $"Content-Range: {contentRange}\r\n");
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.Append("\r\n").ToString()));
    }

    private static async Task<string?> ReadHeadAsync(NetworkStream stream)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (buffer.Count < 16384)
        {
            if (await stream.ReadAsync(one) == 0)
            {
                return null;
            }

            buffer.Add(one[0]);
            if (buffer.Count >= 4 && buffer[^4] == '\r' && buffer[^3] == '\n' && buffer[^2] == '\r' && buffer[^1] == '\n')
            {
                return Encoding.ASCII.GetString(buffer.ToArray(), 0, buffer.Count - 4);
            }
        }

        return null;
    }
}
