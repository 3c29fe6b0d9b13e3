using System.Security.Cryptography;
using CellSeg.Data.Download;

namespace CellSeg.Data.Tests.Download;

public sealed class FileDownloaderTests
{
    private const string Name = "data/file.bin";
    private static readonly byte[] Payload = MakePayload(200_000, 1);
    private static readonly string PayloadSha = Convert.ToHexStringLower(SHA256.HashData(Payload));

    private static FileDownloaderOptions Fast(int retries = 4) => new()
    {
        MaxRetryAttempts = retries,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        RetryMaxDelay = TimeSpan.FromMilliseconds(50),
        ResponseTimeout = TimeSpan.FromMilliseconds(400),
        StallTimeout = TimeSpan.FromSeconds(2),
        BreakerMinimumThroughput = 50,
    };

    private static byte[] MakePayload(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static (string Destination, DownloadRequest Request) Request(FaultyHttpServer server, long? size = null, string? sha = null)
    {
        var destination = Path.Combine(TestPaths.NewTempFolder(), "file.bin");
        return (destination, new DownloadRequest(new Uri(server.BaseUrl, Name), destination, size, sha));
    }

    private static void AssertNothingComplete(string destination)
    {
        Assert.False(File.Exists(destination), "no complete file");
        Assert.False(File.Exists(destination + ".part"), "no partial file");
        Assert.False(File.Exists(destination + ".sha256"), "no verification record");
    }

    [Fact]
    public async Task A_503_is_retried_and_the_file_arrives_verified()
    {
        await using var server = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload });
        server.Enqueue(new Fault.Status(503), new Fault.Status(503));
        var (destination, request) = Request(server, Payload.Length, PayloadSha);
        using var downloader = new FileDownloader(Fast());

        var reports = new List<DownloadProgress>();
        var file = await downloader.DownloadAsync(request, new SyncProgress<DownloadProgress>(reports.Add));

        Assert.True(file.Fetched);
        Assert.Equal(PayloadSha, file.Sha256);
        Assert.Equal(Payload, await File.ReadAllBytesAsync(destination));
        Assert.Equal(3, server.Requests.Count);
        Assert.False(File.Exists(destination + ".part"));
        Assert.StartsWith(PayloadSha, await File.ReadAllTextAsync(destination + ".sha256"));
        Assert.Equal(new DownloadProgress("file.bin", Payload.Length, Payload.Length), reports[^1]);
    }

    [Fact]
    public async Task Retry_after_from_the_server_replaces_the_backoff()
    {
        await using var server = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload });
        server.Enqueue(new Fault.Status(429, RetryAfterSeconds: 1));
        var (destination, request) = Request(server, Payload.Length, PayloadSha);
        using var downloader = new FileDownloader(Fast() with { RetryMaxDelay = TimeSpan.FromSeconds(5) });

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await downloader.DownloadAsync(request);

        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(900), TimeSpan.FromSeconds(4));
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task A_connection_dropped_mid_body_is_resumed_with_a_range_request()
    {
        await using var server = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload });
        server.Enqueue(new Fault.DropAfter(70_000));
        var (destination, request) = Request(server, Payload.Length, PayloadSha);
        using var downloader = new FileDownloader(Fast());

        var file = await downloader.DownloadAsync(request);

        Assert.Equal(Payload, await File.ReadAllBytesAsync(destination));
        Assert.Equal(PayloadSha, file.Sha256);
        var requests = server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Null(requests[0].Range);
        Assert.Equal("bytes=70000-", requests[1].Range);
    }

    [Fact]
    public async Task A_body_that_stalls_is_abandoned_and_resumed()
    {
        await using var server = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload });
        server.Enqueue(new Fault.StallAfter(40_000, TimeSpan.FromSeconds(5)));
        var (destination, request) = Request(server, Payload.Length, PayloadSha);
        using var downloader = new FileDownloader(Fast() with { StallTimeout = TimeSpan.FromMilliseconds(300) });

        await downloader.DownloadAsync(request);

        Assert.Equal(Payload, await File.ReadAllBytesAsync(destination));
        Assert.Equal("bytes=40000-", server.Requests.ToArray()[1].Range);
    }

    [Fact]
    public async Task A_cancelled_download_keeps_its_part_and_the_next_call_resumes_it()
    {
        await using var server = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload });
        server.Enqueue(new Fault.StallAfter(30_000, TimeSpan.FromSeconds(5)));
        var (destination, request) = Request(server, Payload.Length, PayloadSha);
        using var downloader = new FileDownloader(Fast());
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(500));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => downloader.DownloadAsync(request, null, cancel.Token));

        Assert.False(File.Exists(destination));
        Assert.Equal(30_000, new FileInfo(destination + ".part").Length);
        await downloader.DownloadAsync(request);
        Assert.Equal(Payload, await File.ReadAllBytesAsync(destination));
        Assert.Equal("bytes=30000-", server.Requests.ToArray()[1].Range);
    }

    [Fact]
    public async Task A_part_left_by_an_earlier_run_is_resumed_and_rehashed()
    {
        await using var server = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload });
        var (destination, request) = Request(server, null, PayloadSha);
        await File.WriteAllBytesAsync(destination + ".part", Payload.AsSpan(0, 12_345).ToArray());
        using var downloader = new FileDownloader(Fast());

        var file = await downloader.DownloadAsync(request);

        Assert.Equal(PayloadSha, file.Sha256);
        Assert.Equal("bytes=12345-", Assert.Single(server.Requests).Range);
    }

    [Fact]
    public async Task A_part_that_is_already_whole_is_finished_on_416()
    {
        await using var server = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload });
        var (destination, request) = Request(server);
        await File.WriteAllBytesAsync(destination + ".part", Payload);
        using var downloader = new FileDownloader(Fast());

        var file = await downloader.DownloadAsync(request);

        Assert.Equal(PayloadSha, file.Sha256);
        Assert.Equal(Payload, await File.ReadAllBytesAsync(destination));
        Assert.Equal($"bytes={Payload.Length}-", Assert.Single(server.Requests).Range);
    }

    [Fact]
    public async Task A_server_that_ignores_range_restarts_the_file_cleanly()
    {
        await using var server = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload });
        server.Enqueue(new Fault.DropAfter(50_000), new Fault.IgnoreRange());
        var (destination, request) = Request(server, Payload.Length, PayloadSha);
        using var downloader = new FileDownloader(Fast());

        var file = await downloader.DownloadAsync(request);

        Assert.Equal(Payload, await File.ReadAllBytesAsync(destination));
        Assert.Equal(Payload.Length, file.Size);
        Assert.Equal("bytes=50000-", server.Requests.ToArray()[1].Range);
    }

    [Fact]
    public async Task A_response_slower_than_the_timeout_is_retried()
    {
        await using var server = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload });
        server.Enqueue(new Fault.DelayHeaders(TimeSpan.FromSeconds(3)));
        var (destination, request) = Request(server, Payload.Length, PayloadSha);
        using var downloader = new FileDownloader(Fast());

        await downloader.DownloadAsync(request);

        Assert.Equal(Payload, await File.ReadAllBytesAsync(destination));
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task A_server_that_stays_slow_fails_clearly_once_retries_are_spent()
    {
        await using var server = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload });
        server.Enqueue(new Fault.DelayHeaders(TimeSpan.FromSeconds(3)), new Fault.DelayHeaders(TimeSpan.FromSeconds(3)));
        var (destination, request) = Request(server, Payload.Length, PayloadSha);
        using var downloader = new FileDownloader(Fast(retries: 1));

        var error = await Assert.ThrowsAsync<DownloadException>(() => downloader.DownloadAsync(request));

        Assert.Contains("gave up after 2 attempt(s)", error.Message, StringComparison.Ordinal);
        Assert.Contains("timeout", error.Message, StringComparison.Ordinal);
        Assert.Contains(Name, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(destination));
    }

    [Theory]
    [InlineData(-10)]
    [InlineData(+10)]
    public async Task A_length_other_than_the_manifest_size_is_a_clear_error(int delta)
    {
        await using var server = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload });
        server.Enqueue(new Fault.WrongLength(Payload.Length + delta));
        var (destination, request) = Request(server, Payload.Length, PayloadSha);
        using var downloader = new FileDownloader(Fast());

        var error = await Assert.ThrowsAsync<DownloadException>(() => downloader.DownloadAsync(request));

        Assert.Contains($"wrong length: Content-Length says {Payload.Length + delta} bytes, the manifest {Payload.Length}", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
        AssertNothingComplete(destination);
    }

    [Fact]
    public async Task A_short_body_without_a_known_size_fails_on_the_hash_and_keeps_nothing()
    {
        await using var server = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload });
        server.Enqueue(new Fault.WrongLength(Payload.Length - 10));
        var (destination, request) = Request(server, null, PayloadSha);
        using var downloader = new FileDownloader(Fast());

        var error = await Assert.ThrowsAsync<DownloadException>(() => downloader.DownloadAsync(request));

        Assert.Contains("SHA-256 mismatch", error.Message, StringComparison.Ordinal);
        AssertNothingComplete(destination);
    }

    [Fact]
    public async Task Corrupted_bytes_fail_on_the_hash_naming_the_file_and_both_hashes()
    {
        await using var server = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload });
        server.Enqueue(new Fault.Corrupt(1234));
        var (destination, request) = Request(server, Payload.Length, PayloadSha);
        using var downloader = new FileDownloader(Fast());

        var error = await Assert.ThrowsAsync<DownloadException>(() => downloader.DownloadAsync(request));

        var corrupted = (byte[])Payload.Clone();
        corrupted[1234] ^= 0xFF;
        Assert.Contains(new Uri(server.BaseUrl, Name).ToString(), error.Message, StringComparison.Ordinal);
        Assert.Contains(destination, error.Message, StringComparison.Ordinal);
        Assert.Contains($"expected {PayloadSha}, got {Convert.ToHexStringLower(SHA256.HashData(corrupted))}", error.Message, StringComparison.Ordinal);
        AssertNothingComplete(destination);
    }

    [Fact]
    public async Task The_circuit_breaker_opens_after_repeated_failures()
    {
        await using var server = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload });
        server.Enqueue(Enumerable.Repeat<Fault>(new Fault.Status(503), 20).ToArray());
        var (destination, request) = Request(server, Payload.Length, PayloadSha);
        using var downloader = new FileDownloader(Fast(retries: 10) with { BreakerMinimumThroughput = 3, ResponseTimeout = TimeSpan.FromSeconds(10) }); // a loaded machine must not turn a 503 into a timeout

        var error = await Assert.ThrowsAsync<DownloadException>(() => downloader.DownloadAsync(request));

        Assert.Contains("circuit breaker open after repeated failures (last: HTTP 503 Fault)", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, server.Requests.Count);
        Assert.False(File.Exists(destination));

        // The open circuit also refuses the next file at once, without a request.
        await Assert.ThrowsAsync<DownloadException>(() => downloader.DownloadAsync(request with { Destination = destination + ".2" }));
        Assert.Equal(3, server.Requests.Count);
    }

    [Fact]
    public async Task Too_little_free_space_fails_before_the_body_is_written()
    {
        await using var server = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload });
        var (destination, request) = Request(server, null, PayloadSha);
        using var downloader = new FileDownloader(Fast() with { FreeSpaceProbe = _ => Payload.Length - 1 });

        var error = await Assert.ThrowsAsync<DownloadException>(() => downloader.DownloadAsync(request));

        Assert.Contains($"needs {Payload.Length:N0} more bytes", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(destination));
    }

    [Fact]
    public async Task A_missing_file_is_not_retried()
    {
        await using var server = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload });
        var destination = Path.Combine(TestPaths.NewTempFolder(), "x.bin");
        using var downloader = new FileDownloader(Fast());

        var error = await Assert.ThrowsAsync<DownloadException>(() => downloader.DownloadAsync(new DownloadRequest(new Uri(server.BaseUrl, "nope.bin"), destination)));

        Assert.Contains("HTTP 404", error.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task A_complete_file_is_not_fetched_again()
    {
        await using var server = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload });
        var (destination, request) = Request(server, Payload.Length, PayloadSha);
        using (var first = new FileDownloader(Fast()))
        {
            Assert.True((await first.DownloadAsync(request)).Fetched);
        }

        using var second = new FileDownloader(Fast());
        var again = await second.DownloadAsync(request);

        Assert.False(again.Fetched);
        Assert.Equal(PayloadSha, again.Sha256);
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task Two_downloads_of_one_file_take_turns_and_fetch_it_once()
    {
        await using var server = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload });
        server.Enqueue(new Fault.DelayHeaders(TimeSpan.FromMilliseconds(200)));
        var (destination, request) = Request(server, Payload.Length, PayloadSha);
        using var downloader = new FileDownloader(Fast());

        var files = await Task.WhenAll(downloader.DownloadAsync(request), Task.Run(() => downloader.DownloadAsync(request)));

        Assert.Equal(1, files.Count(f => f.Fetched));
        Assert.Single(server.Requests);
        Assert.False(File.Exists(destination + ".lock"));
    }

    [Fact]
    public async Task Without_a_known_hash_the_first_download_is_trusted_and_later_ones_must_match_it()
    {
        var files = new Dictionary<string, byte[]> { [Name] = Payload };
        await using var server = new FaultyHttpServer(files);
        var (destination, request) = Request(server);
        using var downloader = new FileDownloader(Fast());
        var first = await downloader.DownloadAsync(request);
        Assert.Equal(PayloadSha, first.Sha256);
        File.Delete(destination);

        server.Enqueue(new Fault.Corrupt(5));
        var error = await Assert.ThrowsAsync<DownloadException>(() => downloader.DownloadAsync(request));

        Assert.Contains("recorded at the first download", error.Message, StringComparison.Ordinal);
        Assert.Contains(PayloadSha, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(destination));
        Assert.False(File.Exists(destination + ".part"));
    }

    [Fact]
    public async Task A_file_url_is_copied_and_verified_like_a_download()
    {
        var folder = TestPaths.NewTempFolder();
        var source = Path.Combine(folder, "source.bin");
        await File.WriteAllBytesAsync(source, Payload);
        var destination = Path.Combine(folder, "out", "copy.bin");
        using var downloader = new FileDownloader(Fast());

        var file = await downloader.DownloadAsync(new DownloadRequest(new Uri(source), destination, Payload.Length, PayloadSha));

        Assert.True(file.Fetched);
        Assert.Equal(Payload, await File.ReadAllBytesAsync(destination));
        var missing = await Assert.ThrowsAsync<DownloadException>(() => downloader.DownloadAsync(new DownloadRequest(new Uri(source + ".gone"), destination + ".2")));
        Assert.Contains("local source not found", missing.Message, StringComparison.Ordinal);
    }
}
