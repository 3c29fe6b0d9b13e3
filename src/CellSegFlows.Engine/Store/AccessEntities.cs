namespace CellSegFlows.Engine.Store;

/// <summary>A person (or robot) who may use the server, with one role.</summary>
public sealed class UserRecord
{
    /// <summary>Login name.</summary>
    public required string Name { get; set; }

    /// <summary>viewer, editor, operator or admin.</summary>
    public required string Role { get; set; }

    /// <summary>PBKDF2 hash of the password (<c>pbkdf2-sha256$ITERATIONS$SALT$HASH</c>, base64); null when the user only has API keys.</summary>
    public string? PasswordHash { get; set; }

    /// <summary>When created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>A disabled user can neither log in nor use keys.</summary>
    public bool Disabled { get; set; }
}

/// <summary>An API key for automation: only its SHA-256 is stored, the key itself is shown once.</summary>
public sealed class ApiKeyRecord
{
    /// <summary>Short public id (the key's prefix), for listing and revoking.</summary>
    public required string Id { get; set; }

    /// <summary>Lowercase hex SHA-256 of the whole key.</summary>
    public required string KeyHash { get; set; }

    /// <summary>The user the key acts as.</summary>
    public required string UserName { get; set; }

    /// <summary>What it is for.</summary>
    public string? Label { get; set; }

    /// <summary>When created.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When last used.</summary>
    public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>Revoked keys are refused.</summary>
    public bool Revoked { get; set; }
}

/// <summary>One change made through the server or the command line: who, when, what.</summary>
public sealed class AuditRecord
{
    /// <summary>Sequence number.</summary>
    public long Id { get; set; }

    /// <summary>When.</summary>
    public DateTimeOffset Time { get; set; }

    /// <summary>User name (or <c>key:ID</c> details in <see cref="Detail"/>).</summary>
    public required string Actor { get; set; }

    /// <summary>What happened: definition.save, run.start, run.cancel, run.retry, user.add, …</summary>
    public required string Action { get; set; }

    /// <summary>What it happened to (a definition hash, a run id, a user name).</summary>
    public required string Target { get; set; }

    /// <summary>More, as text.</summary>
    public string? Detail { get; set; }

    /// <summary>An entry stamped now.</summary>
    public static AuditRecord Now(string actor, string action, string target, string? detail = null) =>
        new() { Time = DateTimeOffset.UtcNow, Actor = actor, Action = action, Target = target, Detail = detail };
}

/// <summary>A worker process as it last checked in: which execution groups it serves and when it was last alive.</summary>
public sealed class WorkerRecord
{
    /// <summary>Worker name (host:pid by default).</summary>
    public required string Name { get; set; }

    /// <summary>Execution groups it serves, comma-separated.</summary>
    public required string Queues { get; set; }

    /// <summary>Device given to its activities.</summary>
    public required string Device { get; set; }

    /// <summary>Steps it runs at once.</summary>
    public int Threads { get; set; }

    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>Last check-in.</summary>
    public DateTimeOffset LastSeenAt { get; set; }

    /// <summary>Set when it stopped cleanly.</summary>
    public DateTimeOffset? StoppedAt { get; set; }

    /// <summary>
    /// When it was asked to drain: by <c>worker --drain NAME</c> (it drains at its next check-in) or by a stop signal (set as
    /// its drain begins). Set while it still runs, it is draining; cleared when it starts again.
    /// </summary>
    public DateTimeOffset? DrainRequestedAt { get; set; }
}
