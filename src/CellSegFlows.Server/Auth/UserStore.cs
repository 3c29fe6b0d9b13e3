using System.Security.Cryptography;
using System.Text;
using CellSegFlows.Engine.Store;
using Microsoft.EntityFrameworkCore;

namespace CellSegFlows.Server.Auth;

/// <summary>A user mistake in user management (unknown role, duplicate name, empty password): the message says which.</summary>
public sealed class UserAdminException(string message) : Exception(message);

/// <summary>A user as shown to others (never the password hash).</summary>
public sealed record UserInfo(string Name, string Role, bool HasPassword, bool Disabled, DateTimeOffset CreatedAt);

/// <summary>An API key as listed (never the key itself).</summary>
public sealed record ApiKeyInfo(string Id, string UserName, string? Label, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, bool Revoked);

/// <summary>A newly created key: <see cref="Key"/> is shown this once and stored only as its hash.</summary>
public sealed record NewApiKey(string Id, string Key, string UserName, string? Label);

/// <summary>Users, their hashed passwords and API keys, in the run store; every change is audited.</summary>
public sealed class UserStore(RunStoreOptions store)
{
    private const string KeyPrefix = "csf_";

    /// <summary>Adds a user; the password may be null for a robot that only uses API keys.</summary>
    /// <exception cref="UserAdminException">Bad name, unknown role, empty password, or the name is taken.</exception>
    public async Task<UserInfo> AddAsync(string name, string role, string? password, string actor, CancellationToken ct = default)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64 || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new UserAdminException($"user name '{name}': 1 to 64 characters without spaces");
        }

        if (!Roles.IsRole(role))
        {
            throw new UserAdminException($"role '{role}': one of {string.Join(", ", Roles.All)}");
        }

        if (password is not null && password.Length < 8)
        {
            throw new UserAdminException($"user '{name}': the password needs at least 8 characters");
        }

        var record = new UserRecord { Name = name, Role = role, PasswordHash = password is null ? null : PasswordHasher.Hash(password), CreatedAt = DateTimeOffset.UtcNow };
        await store.WriteAsync(async db =>
        {
            if (await db.Users.FindAsync([name], ct).ConfigureAwait(false) is not null)
            {
                throw new UserAdminException($"user '{name}' exists already");
            }

            db.Users.Add(record);
            AuditLog.Add(db, actor, "user.add", name, $"role {role}");
            return true;
        }, ct).ConfigureAwait(false);
        return ToInfo(record);
    }

    /// <summary>Changes a user's role and/or password; false when there is no such user.</summary>
    public Task<bool> UpdateAsync(string name, string? role, string? password, bool? disabled, string actor, CancellationToken ct = default)
    {
        if (role is not null && !Roles.IsRole(role))
        {
            throw new UserAdminException($"role '{role}': one of {string.Join(", ", Roles.All)}");
        }

        if (password is not null && password.Length < 8)
        {
            throw new UserAdminException($"user '{name}': the password needs at least 8 characters");
        }

        return store.WriteAsync(async db =>
        {
            var user = await db.Users.FindAsync([name], ct).ConfigureAwait(false);
            if (user is null)
            {
                return false;
            }

            var changes = new List<string>();
            if (role is not null)
            {
                user.Role = role;
                changes.Add($"role {role}");
            }

            if (password is not null)
            {
                user.PasswordHash = PasswordHasher.Hash(password);
                changes.Add("password changed");
            }

            if (disabled is { } d)
            {
                user.Disabled = d;
                changes.Add(d ? "disabled" : "enabled");
            }

            AuditLog.Add(db, actor, "user.update", name, string.Join(", ", changes));
            return true;
        }, ct);
    }

    /// <summary>Every user.</summary>
    public async Task<IReadOnlyList<UserInfo>> ListAsync(CancellationToken ct = default)
    {
        await using var db = store.CreateContext();
        var users = await db.Users.AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
        return users.OrderBy(u => u.Name, StringComparer.Ordinal).Select(ToInfo).ToList();
    }

    /// <summary>The user, if any.</summary>
    public async Task<UserRecord?> FindAsync(string name, CancellationToken ct = default)
    {
        await using var db = store.CreateContext();
        return await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Name == name, ct).ConfigureAwait(false);
    }

    /// <summary>Whether any user exists (an empty store needs an admin bootstrap).</summary>
    public async Task<bool> AnyAsync(CancellationToken ct = default)
    {
        await using var db = store.CreateContext();
        return await db.Users.AnyAsync(ct).ConfigureAwait(false);
    }

    /// <summary>The user when the password matches and the user is enabled, else null (the same answer for an unknown name).</summary>
    public async Task<UserRecord?> CheckPasswordAsync(string name, string password, CancellationToken ct = default)
    {
        var user = await FindAsync(name, ct).ConfigureAwait(false);
        if (user is null)
        {
            // Spend the same time as a real check, so a response time does not tell which names exist.
            PasswordHasher.Verify(password, "pbkdf2-sha256$100000$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
            return null;
        }

        // The hash is checked for a disabled user too: answering early would tell by its speed that the name exists.
        var matches = PasswordHasher.Verify(password, user.PasswordHash);
        return matches && !user.Disabled ? user : null;
    }

    /// <summary>Creates an API key acting as <paramref name="userName"/>.</summary>
    /// <exception cref="UserAdminException">No such user.</exception>
    public async Task<NewApiKey> CreateKeyAsync(string userName, string? label, string actor, CancellationToken ct = default)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var key = $"{KeyPrefix}{id}_{secret}";
        await store.WriteAsync(async db =>
        {
            if (await db.Users.FindAsync([userName], ct).ConfigureAwait(false) is null)
            {
                throw new UserAdminException($"no user '{userName}'");
            }

            db.ApiKeys.Add(new ApiKeyRecord { Id = id, KeyHash = HashKey(key), UserName = userName, Label = label, CreatedAt = DateTimeOffset.UtcNow });
            AuditLog.Add(db, actor, "key.add", userName, $"key {id}{(label is null ? string.Empty : " (" + label + ")")}");
            return true;
        }, ct).ConfigureAwait(false);
        return new NewApiKey(id, key, userName, label);
    }

    /// <summary>Revokes a key; false when there is none.</summary>
    public Task<bool> RevokeKeyAsync(string id, string actor, CancellationToken ct = default) =>
        store.WriteAsync(async db =>
        {
            var key = await db.ApiKeys.FindAsync([id], ct).ConfigureAwait(false);
            if (key is null)
            {
                return false;
            }

            key.Revoked = true;
            AuditLog.Add(db, actor, "key.revoke", key.UserName, $"key {id}");
            return true;
        }, ct);

    /// <summary>Every key (never the secret).</summary>
    public async Task<IReadOnlyList<ApiKeyInfo>> ListKeysAsync(CancellationToken ct = default)
    {
        await using var db = store.CreateContext();
        var keys = await db.ApiKeys.AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
        return keys.OrderBy(k => k.UserName, StringComparer.Ordinal).ThenBy(k => k.CreatedAt)
            .Select(k => new ApiKeyInfo(k.Id, k.UserName, k.Label, k.CreatedAt, k.LastUsedAt, k.Revoked)).ToList();
    }

    /// <summary>The key's record and its enabled user, or null for an unknown, revoked or malformed key.</summary>
    public async Task<(ApiKeyRecord Key, UserRecord User)?> FindByKeyAsync(string key, CancellationToken ct = default)
    {
        if (!key.StartsWith(KeyPrefix, StringComparison.Ordinal) || key.Length > 200)
        {
            return null;
        }

        var hash = HashKey(key);
        await using var db = store.CreateContext();
        var record = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.KeyHash == hash, ct).ConfigureAwait(false);
        if (record is null || record.Revoked)
        {
            return null;
        }

        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Name == record.UserName, ct).ConfigureAwait(false);
        return user is null || user.Disabled ? null : (record, user);
    }

    /// <summary>Records that a key was used (at most once a minute per key, so reads do not each cost a write).</summary>
    public async Task TouchKeyAsync(ApiKeyRecord key, CancellationToken ct = default)
    {
        var now = DateTimeOffset.UtcNow;
        if (key.LastUsedAt is { } last && now - last < TimeSpan.FromMinutes(1))
        {
            return;
        }

        await store.WriteAsync(async db =>
        {
            if (await db.ApiKeys.FindAsync([key.Id], ct).ConfigureAwait(false) is { } record)
            {
                record.LastUsedAt = now;
            }

            return true;
        }, ct).ConfigureAwait(false);
    }

    /// <summary>Creates user <c>admin</c> from a password file when there is no such user; true when it did.</summary>
    public async Task<bool> BootstrapAdminAsync(string passwordFile, CancellationToken ct = default)
    {
        if (!File.Exists(passwordFile))
        {
            throw new UserAdminException($"admin password file {passwordFile} does not exist");
        }

        var password = (await File.ReadAllTextAsync(passwordFile, ct).ConfigureAwait(false)).Trim();
        if (await FindAsync(Roles.Admin, ct).ConfigureAwait(false) is not null)
        {
            return false;
        }

        await AddAsync(Roles.Admin, Roles.Admin, password, "bootstrap", ct).ConfigureAwait(false);
        return true;
    }

    private static string HashKey(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    private static UserInfo ToInfo(UserRecord u) => new(u.Name, u.Role, u.PasswordHash is not null, u.Disabled, u.CreatedAt);
}
