using System.Net;
using CellSegFlows.Engine.Access;

namespace CellSegFlows.Engine.Tests.Access;

/// <summary>The data-root and origin rules, on real folders and symbolic links.</summary>
public sealed class HostAccessTests
{
    private static (HostAccess Access, string Data, string ReadOnly) Restricted()
    {
        var data = Directory.CreateDirectory(Path.Combine(TestPaths.NewTempFolder(), "data")).FullName;
        var readOnly = TestPaths.NewTempFolder();
        var access = HostAccess.Restricted(
            [new DataRoot(data, true, "the data folder"), new DataRoot(readOnly, false, "the reference folder")],
            [new Uri("https://bucket.example.org/some/path/")],
            [new Uri("http://127.0.0.1:8123")]);
        return (access, data, readOnly);
    }

    [Fact]
    public void Paths_inside_a_root_resolve_and_relative_ones_start_at_the_first_root()
    {
        var (access, data, readOnly) = Restricted();
        Assert.Equal(Path.Combine(data, "a", "b.json"), access.ResolvePath(Path.Combine(data, "a", "b.json"), HostPathUse.Read, "x"));
        Assert.Equal(Path.Combine(data, "sub", "f.txt"), access.ResolvePath("sub/f.txt", HostPathUse.Write, "x"));
        Assert.Equal(Path.Combine(readOnly, "r.txt"), access.ResolvePath(Path.Combine(readOnly, "r.txt"), HostPathUse.Read, "x"));
        Assert.Equal(Path.Combine(readOnly, "in", "r.txt"), access.ResolvePath("r.txt", HostPathUse.Read, "x", relativeTo: Path.Combine(readOnly, "in")));
    }

    [Theory]
    [InlineData("/etc/shadow")]
    [InlineData("/etc")]
    [InlineData("/")]
    [InlineData("/nonexistent/place")]
    public void Paths_outside_every_root_are_refused_naming_the_input_and_the_roots(string path)
    {
        var (access, data, _) = Restricted();
        var error = Assert.Throws<HostAccessException>(() => access.ResolvePath(path, HostPathUse.Read, "annotations"));
        Assert.Equal("annotations", error.Input);
        Assert.Contains("outside the data roots", error.Message, StringComparison.Ordinal);
        Assert.Contains(data, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("input 'annotations': ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_answer_does_not_depend_on_whether_the_path_exists()
    {
        var (access, _, _) = Restricted();
        var existing = Assert.Throws<HostAccessException>(() => access.ResolvePath("/etc/passwd", HostPathUse.Read, "f")).Reason.Replace("/etc/passwd", "P", StringComparison.Ordinal);
        var missing = Assert.Throws<HostAccessException>(() => access.ResolvePath("/etc/no-such-file-here", HostPathUse.Read, "f")).Reason.Replace("/etc/no-such-file-here", "P", StringComparison.Ordinal);
        Assert.Equal(existing, missing);
    }

    [Theory]
    [InlineData("../outside")]
    [InlineData("a/../../b")]
    [InlineData("a/..")]
    public void Dot_dot_is_refused_even_when_it_would_stay_inside(string path)
    {
        var (access, _, _) = Restricted();
        var error = Assert.Throws<HostAccessException>(() => access.ResolvePath(path, HostPathUse.Read, "folder"));
        Assert.Contains("'..' is not allowed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symbolic_link_out_of_a_root_is_refused_and_one_within_is_followed()
    {
        var (access, data, _) = Restricted();
        var outside = TestPaths.NewTempFolder();
        File.WriteAllText(Path.Combine(outside, "secret.txt"), "s");
        Directory.CreateSymbolicLink(Path.Combine(data, "escape"), outside);
        File.CreateSymbolicLink(Path.Combine(data, "shadow"), "/etc/shadow");
        Directory.CreateDirectory(Path.Combine(data, "real"));
        Directory.CreateSymbolicLink(Path.Combine(data, "alias"), "real");   // relative target, inside

        Assert.Throws<HostAccessException>(() => access.ResolvePath(Path.Combine(data, "escape", "secret.txt"), HostPathUse.Read, "f"));
        Assert.Throws<HostAccessException>(() => access.ResolvePath("escape/new-file", HostPathUse.Write, "f"));
        Assert.Throws<HostAccessException>(() => access.ResolvePath(Path.Combine(data, "shadow"), HostPathUse.Read, "f"));
        Assert.Equal(Path.Combine(data, "real", "x.txt"), access.ResolvePath("alias/x.txt", HostPathUse.Write, "f"));
    }

    [Fact]
    public void A_link_cycle_is_refused_not_followed_forever()
    {
        var (access, data, _) = Restricted();
        File.CreateSymbolicLink(Path.Combine(data, "loop-a"), Path.Combine(data, "loop-b"));
        File.CreateSymbolicLink(Path.Combine(data, "loop-b"), Path.Combine(data, "loop-a"));
        var error = Assert.Throws<HostAccessException>(() => access.ResolvePath("loop-a", HostPathUse.Read, "f"));
        Assert.Contains("too many symbolic links", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Writing_into_a_read_only_root_is_refused()
    {
        var (access, _, readOnly) = Restricted();
        var error = Assert.Throws<HostAccessException>(() => access.ResolvePath(Path.Combine(readOnly, "out"), HostPathUse.Write, "destination"));
        Assert.Contains("read-only data root", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Sources_come_only_from_allowed_origins_and_file_urls_only_from_the_roots()
    {
        var (access, data, _) = Restricted();
        Assert.Equal("https://bucket.example.org/other/file.zip", access.CheckSource("https://bucket.example.org/other/file.zip", "baseUrl").ToString());
        access.CheckUrl(new Uri("http://127.0.0.1:8123/x"), "baseUrl");
        Assert.Contains("not an allowed download origin", Assert.Throws<HostAccessException>(() => access.CheckUrl(new Uri("http://127.0.0.1:8124/x"), "baseUrl")).Message, StringComparison.Ordinal);
        Assert.Throws<HostAccessException>(() => access.CheckUrl(new Uri("https://bucket.example.org.evil.test/x"), "baseUrl"));
        Assert.Throws<HostAccessException>(() => access.CheckUrl(new Uri("http://bucket.example.org/x"), "baseUrl"));   // another scheme is another origin
        Assert.Throws<HostAccessException>(() => access.CheckSource("ftp://bucket.example.org/x", "baseUrl"));
        Assert.Contains("outside the data roots", Assert.Throws<HostAccessException>(() => access.CheckSource("file:///etc/", "baseUrl")).Message, StringComparison.Ordinal);
        Assert.Equal(new Uri(Path.Combine(data, "mirror")), access.CheckSource(Path.Combine(data, "mirror"), "baseUrl"));
        Assert.Equal(new Uri(Path.Combine(data, "mirror")), access.CheckSource(new Uri(Path.Combine(data, "mirror")).ToString(), "baseUrl"));
    }

    [Fact]
    public void Internal_addresses_are_dialled_only_for_hosts_an_admin_named()
    {
        var (access, _, _) = Restricted();
        Assert.True(access.AllowsAddress("bucket.example.org", 443, IPAddress.Parse("52.95.150.10")));
        Assert.False(access.AllowsAddress("bucket.example.org", 443, IPAddress.Parse("127.0.0.1")));
        Assert.False(access.AllowsAddress("bucket.example.org", 443, IPAddress.Parse("169.254.169.254")));
        Assert.True(access.AllowsAddress("127.0.0.1", 8123, IPAddress.Loopback));
        Assert.False(access.AllowsAddress("127.0.0.1", 8124, IPAddress.Loopback));   // the admin named one origin, not the host
        Assert.True(HostAccess.Unrestricted.AllowsAddress("anything", 1, IPAddress.Loopback));
    }

    [Theory]
    [InlineData("8.8.8.8", true)]
    [InlineData("52.95.150.10", true)]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.1", false)]
    [InlineData("172.32.0.1", true)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("224.0.0.1", false)]
    [InlineData("::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("::ffff:127.0.0.1", false)]
    [InlineData("::ffff:8.8.8.8", true)]
    [InlineData("2a00:1450:4001:81b::200e", true)]
    public void Public_addresses_are_told_from_internal_ones(string address, bool isPublic) =>
        Assert.Equal(isPublic, NetworkAddresses.IsPublic(IPAddress.Parse(address)));

    [Fact]
    public void Unrestricted_keeps_paths_as_given()
    {
        Assert.Equal("/etc/shadow", HostAccess.Unrestricted.ResolvePath("/etc/shadow", HostPathUse.Read, "f"));
        Assert.Equal(Path.GetFullPath("x/y"), HostAccess.Unrestricted.ResolvePath("x/y", HostPathUse.Write, "f"));
        Assert.Equal(new Uri("file:///etc/"), HostAccess.Unrestricted.CheckSource("file:///etc/", "baseUrl"));
    }
}
