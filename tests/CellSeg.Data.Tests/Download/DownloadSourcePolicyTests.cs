using System.Net;
using CellSeg.Data.Download;

namespace CellSeg.Data.Tests.Download;

/// <summary>The downloader asks its source policy before every request and redirect and at every connection; refusals are final.</summary>
public sealed class DownloadSourcePolicyTests
{
    private const string Name = "data/file.bin";
    private static readonly byte[] Payload = [1, 2, 3, 4, 5, 6, 7, 8];

    /// <summary>Allows one origin and the addresses named; records what it was asked.</summary>
    private sealed class Policy(Uri? origin, bool allowLoopback) : IDownloadSourcePolicy
    {
        public List<Uri> Asked { get; } = [];

        public List<IPAddress> Dialled { get; } = [];

        public string? Refuse(Uri source)
        {
            Asked.Add(source);
            return origin is not null && source.GetLeftPart(UriPartial.Authority) == origin.GetLeftPart(UriPartial.Authority) ? null : "origin not allowed";
        }

        public string? RefuseAddress(string host, int port, IPAddress address)
        {
            Dialled.Add(address);
            return allowLoopback || !IPAddress.IsLoopback(address) ? null : "loopback refused";
        }
    }

    private static FileDownloaderOptions Options(IDownloadSourcePolicy policy) => new()
    {
        MaxRetryAttempts = 4,
        RetryBaseDelay = TimeSpan.FromMilliseconds(10),
        RetryMaxDelay = TimeSpan.FromMilliseconds(50),
        ResponseTimeout = TimeSpan.FromSeconds(2),
        SourcePolicy = policy,
    };

    private static string Destination() => Path.Combine(TestPaths.NewTempFolder(), "file.bin");

    [Fact]
    public async Task An_allowed_origin_and_address_download_as_before()
    {
        await using var server = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload });
        var policy = new Policy(server.BaseUrl, allowLoopback: true);
        using var downloader = new FileDownloader(Options(policy));
        var destination = Destination();
        await downloader.DownloadAsync(new DownloadRequest(new Uri(server.BaseUrl, Name), destination, Payload.Length, null));
        Assert.Equal(Payload, await File.ReadAllBytesAsync(destination));
        Assert.Contains(IPAddress.Loopback, policy.Dialled);
    }

    [Fact]
    public async Task A_refused_source_is_never_requested_nor_retried()
    {
        await using var server = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload });
        var policy = new Policy(origin: null, allowLoopback: true);
        using var downloader = new FileDownloader(Options(policy));
        var destination = Destination();
        var error = await Assert.ThrowsAsync<DownloadRefusedException>(() => downloader.DownloadAsync(new DownloadRequest(new Uri(server.BaseUrl, Name), destination, null, null)));
        Assert.Contains("origin not allowed", error.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
        Assert.Single(policy.Asked);
        Assert.False(File.Exists(destination) || File.Exists(destination + ".part"));
    }

    [Fact]
    public async Task A_refused_address_is_not_dialled_and_not_retried()
    {
        await using var server = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload });
        var policy = new Policy(server.BaseUrl, allowLoopback: false);
        using var downloader = new FileDownloader(Options(policy));
        var error = await Assert.ThrowsAsync<DownloadRefusedException>(() => downloader.DownloadAsync(new DownloadRequest(new Uri(server.BaseUrl, Name), Destination(), null, null)));
        Assert.Contains("loopback refused", error.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
        Assert.Single(policy.Asked);   // one attempt: a refusal is not a transient fault
    }

    [Fact]
    public async Task A_redirect_to_another_origin_is_refused_and_one_within_the_origin_is_followed_and_checked()
    {
        await using var server = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload, ["moved/file.bin"] = Payload });
        await using var other = new FaultyHttpServer(new Dictionary<string, byte[]> { [Name] = Payload });
        var policy = new Policy(server.BaseUrl, allowLoopback: true);
        using var downloader = new FileDownloader(Options(policy));

        server.Enqueue(new Fault.Redirect(new Uri(other.BaseUrl, Name).ToString()));
        var error = await Assert.ThrowsAsync<DownloadRefusedException>(() => downloader.DownloadAsync(new DownloadRequest(new Uri(server.BaseUrl, Name), Destination(), null, null)));
        Assert.Contains("redirected to another origin", error.Message, StringComparison.Ordinal);
        Assert.Empty(other.Requests);

        server.Enqueue(new Fault.Redirect("/moved/file.bin"));
        var destination = Destination();
        await downloader.DownloadAsync(new DownloadRequest(new Uri(server.BaseUrl, Name), destination, Payload.Length, null));
        Assert.Equal(Payload, await File.ReadAllBytesAsync(destination));
        Assert.Contains(policy.Asked, u => u.AbsolutePath == "/moved/file.bin");
    }

    [Fact]
    public async Task A_file_source_is_asked_too()
    {
        var folder = TestPaths.NewTempFolder();
        var source = Path.Combine(folder, "file.bin");
        await File.WriteAllBytesAsync(source, Payload);
        var policy = new Policy(origin: null, allowLoopback: true);
        using var downloader = new FileDownloader(Options(policy));
        await Assert.ThrowsAsync<DownloadRefusedException>(() => downloader.DownloadAsync(new DownloadRequest(new Uri(source), Destination(), null, null)));
        Assert.Equal(new Uri(source), Assert.Single(policy.Asked));
    }
}
