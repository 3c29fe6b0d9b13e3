using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace CellSeg.Data.Download;

/// <summary>
/// Fetches files over HTTP(S) (or copies them from <c>file://</c> URLs) so that a file on disk is
/// either absent, partial under <c>&lt;file&gt;.part</c>, or complete and verified:
/// <list type="bullet">
/// <item>resumable: a <c>.part</c> left by a dropped connection or an earlier run is continued with
/// <c>Range: bytes=N-</c> (206); a server that ignores the range (200) restarts the file cleanly;
/// 416 means the part already holds everything;</item>
/// <item>verified: the server's length and the bytes received are checked against the expected size,
/// the SHA-256 is computed while writing (the kept part is hashed again on resume) and compared with
/// the expected hash; a mismatch removes the part and raises a <see cref="DownloadException"/> naming
/// the URL, the file and both values;</item>
/// <item>resilient (Polly 8): transient faults (5xx, 408, 429, dropped connections, timeouts) are
/// retried with exponential, jittered backoff; a circuit breaker shared by all files of this
/// downloader stops after repeated failures;</item>
/// <item>idempotent: a file with a matching <see cref="Sha256Sidecar"/> is not fetched again.</item>
/// </list>
/// </summary>
/// <remarks>
/// When neither the caller nor the sidecar knows the hash, the hash of the first complete download is
/// recorded in the sidecar (trust on first use) and later downloads of the same file must match it.
/// A file being fetched is locked (<c>&lt;file&gt;.lock</c>), so two processes sharing a cache folder
/// take turns instead of writing the same part.
/// </remarks>
public sealed class FileDownloader : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly FileDownloaderOptions _options;
    private readonly ResiliencePipeline _attempts;
    private readonly ResiliencePipeline _responseTimeout;
    private volatile string? _lastFailure;

    private const int MaxRedirects = 5;

    /// <summary>A downloader with its own <see cref="HttpClient"/> (dialling through the options' source policy, if any).</summary>
    public FileDownloader(FileDownloaderOptions? options = null)
        : this(CreateClient(options?.SourcePolicy), options, ownsHttp: true)
    {
    }

    /// <summary>A downloader on a caller's <see cref="HttpClient"/> (its own Timeout should be infinite: this class bounds each phase itself).</summary>
    public FileDownloader(HttpClient http, FileDownloaderOptions? options = null)
        : this(http, options, ownsHttp: false)
    {
    }

    private FileDownloader(HttpClient http, FileDownloaderOptions? options, bool ownsHttp)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
        _ownsHttp = ownsHttp;
        _options = options ?? new FileDownloaderOptions();
        var transient = new PredicateBuilder().Handle<Exception>(IsTransient);
        _attempts = new ResiliencePipelineBuilder()
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = transient,
                MaxRetryAttempts = _options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.RetryBaseDelay,
                MaxDelay = _options.RetryMaxDelay,
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(
                    args.Outcome.Exception is TransientDownloadException { RetryAfter: { } after }
                        ? TimeSpan.FromTicks(Math.Min(after.Ticks, _options.RetryMaxDelay.Ticks))
                        : null),
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = transient,
                FailureRatio = _options.BreakerFailureRatio,
                MinimumThroughput = _options.BreakerMinimumThroughput,
                SamplingDuration = _options.BreakerSamplingDuration,
                BreakDuration = _options.BreakerBreakDuration,
            })
            .Build();
        _responseTimeout = new ResiliencePipelineBuilder().AddTimeout(_options.ResponseTimeout).Build();
    }

    /// <summary>
    /// Makes <see cref="DownloadRequest.Destination"/> a complete, verified copy of the source, fetching
    /// only what is missing.
    /// </summary>
    /// <exception cref="DownloadException">A permanent error (404, wrong size, hash mismatch, missing local file), retries spent, or the circuit open.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the part is kept for the next call to resume.</exception>
    public async Task<DownloadedFile> DownloadAsync(DownloadRequest request, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var destination = Path.GetFullPath(request.Destination);
        Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
        var job = new Job(request with { Destination = destination, ExpectedSha256 = request.ExpectedSha256?.ToLowerInvariant() }, progress);

        await using var fileLock = await FileLock.AcquireAsync(destination + ".lock", cancellationToken).ConfigureAwait(false);
        if (await TryCompleteAsync(job, cancellationToken).ConfigureAwait(false) is { } done)
        {
            return done;
        }

        try
        {
            return await _attempts.ExecuteAsync(
                async ct => await AttemptAsync(job, ct).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false);
        }
        catch (BrokenCircuitException ex)
        {
            throw job.Error($"circuit breaker open after repeated failures (last: {_lastFailure ?? "unknown"}); try again later", ex);
        }
        catch (Exception ex) when (IsTransient(ex) && !cancellationToken.IsCancellationRequested)
        {
            throw job.Error($"gave up after {job.Attempts} attempt(s): {Describe(ex)}", ex);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    /// <summary>Returns the file when it is already complete (verified before), else null.</summary>
    private static async Task<DownloadedFile?> TryCompleteAsync(Job job, CancellationToken ct)
    {
        var path = job.Request.Destination;
        if (!File.Exists(path))
        {
            return null;
        }

        var length = new FileInfo(path).Length;
        if (job.Request.ExpectedSize is { } size && size != length)
        {
            return null;
        }

        var recorded = Sha256Sidecar.Read(path);
        var expected = job.Request.ExpectedSha256 ?? recorded;
        if (recorded is not null && (job.Request.ExpectedSha256 is null || recorded == job.Request.ExpectedSha256))
        {
            job.Report(length, length);
            return new DownloadedFile(path, length, recorded, Fetched: false);
        }

        // A complete file without its record (renamed in before a crash, or put there by hand): hash it once.
        var actual = await Sha256Sidecar.HashFileAsync(path, ct).ConfigureAwait(false);
        if (expected is not null && actual != expected)
        {
            return null;
        }

        await Sha256Sidecar.WriteAsync(path, actual, ct).ConfigureAwait(false);
        job.Report(length, length);
        return new DownloadedFile(path, length, actual, Fetched: false);
    }

    private async ValueTask<DownloadedFile> AttemptAsync(Job job, CancellationToken ct)
    {
        job.Attempts++;
        CheckSource(job.Request.Source);
        try
        {
            return job.Request.Source.IsFile
                ? await CopyLocalAsync(job, ct).ConfigureAwait(false)
                : await FetchHttpAsync(job, ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex) when (FindRefusal(ex) is { } refused)
        {
            throw refused;   // the policy refused the connection: permanent, not a network fault
        }
        catch (Exception ex) when (IsTransient(ex))
        {
            _lastFailure = Describe(ex);
            throw;
        }
    }

    private async Task<DownloadedFile> FetchHttpAsync(Job job, CancellationToken ct)
    {
        var part = job.PartPath;
        var offset = File.Exists(part) ? new FileInfo(part).Length : 0;
        if (job.Request.ExpectedSize is { } size)
        {
            if (offset > size)
            {
                File.Delete(part);
                offset = 0;
            }
            else if (offset == size && offset > 0)
            {
                return await FinishAsync(job, await HashPartAsync(part, offset, ct).ConfigureAwait(false), offset, ct).ConfigureAwait(false);
            }
        }

        using var response = await SendAsync(job.Request.Source, offset, ct).ConfigureAwait(false);

        long? total;
        var status = (int)response.StatusCode;
        if (response.StatusCode == HttpStatusCode.PartialContent && offset > 0)
        {
            var range = response.Content.Headers.ContentRange;
            if (range?.From != offset)
            {
                File.Delete(part);
                throw new TransientDownloadException($"server resumed at byte {range?.From?.ToString() ?? "?"} instead of {offset}; restarting the file");
            }

            total = range.Length ?? job.Request.ExpectedSize;
            CheckAnnouncedSize(job, total, "Content-Range total");
            CheckAnnouncedSize(job, response.Content.Headers.ContentLength + offset, "Content-Range length");
        }
        else if (response.StatusCode == HttpStatusCode.OK)
        {
            offset = 0; // a server that ignores Range sends the whole file: start again
            total = response.Content.Headers.ContentLength;
            CheckAnnouncedSize(job, total, "Content-Length");
        }
        else if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && offset > 0)
        {
            if (response.Content.Headers.ContentRange?.Length == offset)
            {
                return await FinishAsync(job, await HashPartAsync(part, offset, ct).ConfigureAwait(false), offset, ct).ConfigureAwait(false);
            }

            File.Delete(part);
            throw new TransientDownloadException($"server refused to resume at byte {offset} (416); restarting the file");
        }
        else if (status is 408 or 429 or >= 500)
        {
            var retryAfter = response.Headers.RetryAfter is { } header
                ? header.Delta ?? (header.Date is { } date ? date - DateTimeOffset.UtcNow : null)
                : null;
            throw new TransientDownloadException($"HTTP {status} {response.ReasonPhrase}") { RetryAfter = retryAfter > TimeSpan.Zero ? retryAfter : null };
        }
        else
        {
            throw job.Error($"HTTP {status} {response.ReasonPhrase}");
        }

        var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            return await ReceiveAsync(job, body, offset, total, ct).ConfigureAwait(false);
        }
    }

    /// <summary>GET from <paramref name="offset"/>; with a source policy, redirects are followed here, each checked, within one origin.</summary>
    private async Task<HttpResponseMessage> SendAsync(Uri source, long offset, CancellationToken ct)
    {
        var url = source;
        for (var hop = 0; ; hop++)
        {
            using var message = new HttpRequestMessage(HttpMethod.Get, url);
            if (offset > 0)
            {
                message.Headers.Range = new RangeHeaderValue(offset, null);
            }

            var response = await _responseTimeout.ExecuteAsync(
                async t => await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, t).ConfigureAwait(false),
                ct).ConfigureAwait(false);
            if (_options.SourcePolicy is null || (int)response.StatusCode is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is not { } location)
            {
                return response;
            }

            response.Dispose();
            var next = location.IsAbsoluteUri ? location : new Uri(url, location);
            if (!string.Equals(next.GetLeftPart(UriPartial.Authority), source.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase))
            {
                throw new DownloadRefusedException(source, $"redirected to another origin ({next.GetLeftPart(UriPartial.Authority)}); refused");
            }

            if (hop >= MaxRedirects)
            {
                throw new DownloadRefusedException(source, $"more than {MaxRedirects} redirects");
            }

            CheckSource(next);
            url = next;
        }
    }

    private void CheckSource(Uri source)
    {
        if (_options.SourcePolicy?.Refuse(source) is { } reason)
        {
            throw new DownloadRefusedException(source, reason);
        }
    }

    private static DownloadRefusedException? FindRefusal(Exception error)
    {
        for (var e = error.InnerException; e is not null; e = e.InnerException)
        {
            if (e is DownloadRefusedException refused)
            {
                return refused;
            }
        }

        return null;
    }

    /// <summary>
    /// The downloader's own client: with a policy, no automatic redirects and a connect step that resolves the host
    /// itself and dials only addresses the policy allows (the checked address is the one connected to).
    /// </summary>
    private static HttpClient CreateClient(IDownloadSourcePolicy? policy)
    {
        if (policy is null)
        {
            return new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        }

        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectCallback = async (context, ct) =>
            {
                var host = context.DnsEndPoint.Host;
                var addresses = IPAddress.TryParse(host, out var literal)
                    ? [literal]
                    : await Dns.GetHostAddressesAsync(host, ct).ConfigureAwait(false);
                string? refusal = null;
                foreach (var address in addresses)
                {
                    if (policy.RefuseAddress(host, context.DnsEndPoint.Port, address) is { } reason)
                    {
                        refusal ??= reason;
                        continue;
                    }

                    var socket = new System.Net.Sockets.Socket(address.AddressFamily, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                    try
                    {
                        await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), ct).ConfigureAwait(false);
                        return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                    }
                    catch (System.Net.Sockets.SocketException) when (address != addresses[^1])
                    {
                        socket.Dispose();
                    }
                    catch
                    {
                        socket.Dispose();
                        throw;
                    }
                }

                var target = new UriBuilder(context.InitialRequestMessage.RequestUri!) { Path = "/", Query = string.Empty }.Uri;
                throw new DownloadRefusedException(target, refusal ?? $"{host} has no address to connect to");
            },
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private async Task<DownloadedFile> CopyLocalAsync(Job job, CancellationToken ct)
    {
        var source = job.Request.Source.LocalPath;
        if (!File.Exists(source))
        {
            throw job.Error($"local source not found: {source}");
        }

        var total = new FileInfo(source).Length;
        CheckAnnouncedSize(job, total, "local file size");
        var offset = File.Exists(job.PartPath) ? new FileInfo(job.PartPath).Length : 0;
        if (offset > total)
        {
            offset = 0;
        }

        var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (input.ConfigureAwait(false))
        {
            input.Seek(offset, SeekOrigin.Begin);
            return await ReceiveAsync(job, input, offset, total, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Appends the body to the part from <paramref name="offset"/>, hashing the kept bytes first, then verifies and completes.</summary>
    private async Task<DownloadedFile> ReceiveAsync(Job job, Stream body, long offset, long? total, CancellationToken ct)
    {
        var expectedSize = job.Request.ExpectedSize ?? total;
        if (expectedSize is { } needed)
        {
            var folder = Path.GetDirectoryName(job.PartPath)!;
            var free = (_options.FreeSpaceProbe ?? (f => new DriveInfo(f).AvailableFreeSpace))(folder);
            if (free < needed - offset)
            {
                throw job.Error($"needs {needed - offset:N0} more bytes in {folder}, only {free:N0} free");
            }
        }

        using var hasher = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        var output = new FileStream(job.PartPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.Asynchronous);
        long received;
        await using (output.ConfigureAwait(false))
        {
            output.SetLength(offset);
            while (output.Position < offset)
            {
                var n = await output.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, offset - output.Position)), ct).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                hasher.AppendData(buffer, 0, n);
            }

            received = offset;
            job.Report(received, expectedSize);
            var lastReport = received;
            using var stall = CancellationTokenSource.CreateLinkedTokenSource(ct);
            while (true)
            {
                int n;
                stall.CancelAfter(_options.StallTimeout);
                try
                {
                    n = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    throw new TransientDownloadException($"no data for {_options.StallTimeout.TotalSeconds:0.###} s after {received} bytes");
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException)
                {
                    throw new TransientDownloadException($"connection lost after {received} bytes: {ex.Message}", ex);
                }

                if (n == 0)
                {
                    break;
                }

                if (expectedSize is { } limit && received + n > limit)
                {
                    await output.DisposeAsync().ConfigureAwait(false);
                    File.Delete(job.PartPath);
                    throw job.Error($"the source sent more than the expected {limit} bytes; the partial file was removed");
                }

                await output.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                hasher.AppendData(buffer, 0, n);
                received += n;
                if (received - lastReport >= _options.ProgressStepBytes)
                {
                    job.Report(received, expectedSize);
                    lastReport = received;
                }
            }

            await output.FlushAsync(ct).ConfigureAwait(false);
            output.Flush(flushToDisk: true);
        }

        if (expectedSize is { } want && received < want)
        {
            throw new TransientDownloadException($"the body ended after {received} of {want} bytes");
        }

        return await FinishAsync(job, Convert.ToHexStringLower(hasher.GetHashAndReset()), received, ct).ConfigureAwait(false);
    }

    /// <summary>Checks a complete part (size, hash), records its hash and renames it to the final name.</summary>
    private static async Task<DownloadedFile> FinishAsync(Job job, string actual, long length, CancellationToken ct)
    {
        var request = job.Request;
        if (request.ExpectedSize is { } size && size != length)
        {
            File.Delete(job.PartPath);
            throw job.Error($"size mismatch: expected {size} bytes, got {length}; the partial file was removed");
        }

        var recorded = Sha256Sidecar.Read(request.Destination);
        var expected = request.ExpectedSha256 ?? recorded;
        if (expected is not null && actual != expected)
        {
            File.Delete(job.PartPath);
            var whose = request.ExpectedSha256 is not null ? "expected" : $"recorded at the first download ({Sha256Sidecar.PathFor(request.Destination)})";
            throw job.Error($"SHA-256 mismatch: {whose} {expected}, got {actual}; the partial file was removed");
        }

        await Sha256Sidecar.WriteAsync(request.Destination, actual, ct).ConfigureAwait(false);
        File.Move(job.PartPath, request.Destination, overwrite: true);
        job.Report(length, length);
        return new DownloadedFile(request.Destination, length, actual, Fetched: true);
    }

    private static void CheckAnnouncedSize(Job job, long? announced, string what)
    {
        if (announced is { } value && job.Request.ExpectedSize is { } size && value != size)
        {
            throw job.Error($"wrong length: {what} says {value} bytes, the manifest {size}");
        }
    }

    private static async Task<string> HashPartAsync(string part, long length, CancellationToken ct)
    {
        var hash = await Sha256Sidecar.HashFileAsync(part, ct).ConfigureAwait(false);
        return new FileInfo(part).Length == length ? hash : throw new IOException($"{part} changed while it was hashed");
    }

    private static bool IsTransient(Exception ex) =>
        ex is TransientDownloadException or HttpRequestException or TimeoutRejectedException
        || (ex is OperationCanceledException && ex.InnerException is TimeoutException);

    private static string Describe(Exception ex) => ex switch
    {
        TimeoutRejectedException => "no response within the timeout",
        _ => ex.Message,
    };

    private sealed class Job(DownloadRequest request, IProgress<DownloadProgress>? progress)
    {
        public DownloadRequest Request { get; } = request;

        public string PartPath { get; } = request.Destination + ".part";

        public int Attempts { get; set; }

        public void Report(long bytes, long? total) => progress?.Report(new DownloadProgress(Path.GetFileName(Request.Destination), bytes, total));

        public DownloadException Error(string reason, Exception? inner = null) =>
            new(Request.Source.ToString(), Request.Destination, reason, inner);
    }
}

/// <summary>A fault worth another attempt (the next attempt resumes from the part).</summary>
internal sealed class TransientDownloadException(string message, Exception? inner = null) : IOException(message, inner)
{
    /// <summary>The server's Retry-After, when it gave one (used instead of the backoff, capped at the longest wait).</summary>
    public TimeSpan? RetryAfter { get; init; }
}
