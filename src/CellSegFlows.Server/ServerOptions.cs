namespace CellSegFlows.Server;

/// <summary>How <c>cellsegflows serve</c> listens and where the studio's files are.</summary>
public sealed record ServerOptions
{
    /// <summary>Addresses to listen on; default <c>http://127.0.0.1:5080</c> (port 0: any free port).</summary>
    public IReadOnlyList<string> Urls { get; init; } = ["http://127.0.0.1:5080"];

    /// <summary>The built studio (index.html and assets); default <c>wwwroot</c> beside the server's assembly.</summary>
    public string? StudioRoot { get; init; }

    /// <summary>A file holding the password of user <c>admin</c>, created (as admin) when it does not exist yet.</summary>
    public string? AdminPasswordFile { get; init; }

    /// <summary>
    /// Mark the sign-in cookie Secure whatever the request's scheme: for a server behind a TLS-terminating proxy (the
    /// proxy speaks HTTPS to browsers, plain HTTP to us). Always on when a URL is https.
    /// </summary>
    public bool SecureCookies { get; init; }

    /// <summary>How long a studio login lasts without use.</summary>
    public TimeSpan SessionLifetime { get; init; } = TimeSpan.FromHours(8);

    /// <summary>How often the live run stream looks for changes.</summary>
    public TimeSpan StreamPollInterval { get; init; } = TimeSpan.FromMilliseconds(400);

    /// <summary>
    /// Builds a run's report page, one self-contained HTML file, from its records and the artifact store (the engine
    /// knows no cells: <c>cellsegflows serve</c> plugs in CellSegFlows' run report). Null: <c>GET /api/runs/{id}/report</c>
    /// answers 404 saying this server has none. A <see cref="FormatException"/> it throws is an unreadable input (422).
    /// </summary>
    public Func<Engine.Hosting.RunDetail, Engine.Artifacts.IArtifactStore, CancellationToken, Task<string>>? RunReportPage { get; init; }

    /// <summary>
    /// Builds two runs' score tables side by side, as JSON in the shape of <see cref="Api.Contracts.RunComparisonDto"/>
    /// (<c>cellsegflows serve</c> plugs in CellSegFlows' run comparison). Null: <c>GET /api/runs/compare</c> answers 404.
    /// A <see cref="FormatException"/> it throws is an unreadable input (422).
    /// </summary>
    public Func<Engine.Hosting.RunDetail, Engine.Hosting.RunDetail, Engine.Artifacts.IArtifactStore, CancellationToken, Task<System.Text.Json.Nodes.JsonObject>>? RunComparison { get; init; }

    internal string ResolvedStudioRoot => StudioRoot ?? Path.Combine(AppContext.BaseDirectory, "wwwroot");
}
