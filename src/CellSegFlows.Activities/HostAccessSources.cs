using System.Net;
using CellSeg.Data.Download;
using CellSegFlows.Engine.Access;

namespace CellSegFlows.Activities;

/// <summary>The step's <see cref="HostAccess"/> as the downloader's source policy: every URL, redirect and connection is asked.</summary>
internal sealed class HostAccessSources(HostAccess access, string input) : IDownloadSourcePolicy
{
    /// <summary>The policy for <paramref name="access"/>, or null when it is unrestricted (the downloader then follows redirects itself).</summary>
    public static IDownloadSourcePolicy? For(HostAccess access, string input) => access.IsRestricted ? new HostAccessSources(access, input) : null;

    /// <summary>Runs a download, turning a refusal into the step's one-line, never-retried <see cref="HostAccessException"/>.</summary>
    public static async Task<T> RunAsync<T>(string input, Func<Task<T>> download)
    {
        try
        {
            return await download().ConfigureAwait(false);
        }
        catch (DownloadRefusedException refused)
        {
            throw new HostAccessException(input, refused.Message);
        }
    }

    /// <inheritdoc />
    public string? Refuse(Uri source)
    {
        try
        {
            access.CheckUrl(source, input);
            return null;
        }
        catch (HostAccessException refused)
        {
            return refused.Reason;
        }
    }

    /// <inheritdoc />
    public string? RefuseAddress(string host, int port, IPAddress address) =>
        access.AllowsAddress(host, port, address)
            ? null
            : $"{host} resolves to {address}, a loopback, private or link-local address; an admin allows such a host by naming it with --allow-origin";
}
