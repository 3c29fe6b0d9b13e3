using System.ComponentModel;
using CellSegFlows.Engine.Store;
using CellSegFlows.Server.Auth;
using Spectre.Console;
using Spectre.Console.Cli;

namespace CellSegFlows.Cli.Commands;

/// <summary>Where the users live: the run store of <c>--home</c>/<c>--store</c>.</summary>
public class UsersSettings : EngineSettings
{
    internal async Task<UserStore> UserStoreAsync(CancellationToken ct)
    {
        var options = ToOptions();
        var store = options.RunStore ?? RunStoreOptions.Sqlite(Path.Combine(options.Home, "runs.db"));
        await store.MigrateAsync(ct).ConfigureAwait(false);
        return new UserStore(store);
    }
}

/// <summary><c>cellsegflows users add NAME --role ROLE --password-file FILE</c>.</summary>
internal sealed class UsersAddCommand(IAnsiConsole console) : AsyncCommand<UsersAddCommand.Settings>
{
    public sealed class Settings : UsersSettings
    {
        [CommandArgument(0, "<NAME>")]
        [Description("Login name.")]
        public required string Name { get; init; }

        [CommandOption("--role <ROLE>")]
        [Description("viewer, editor, operator or admin.")]
        public required string Role { get; init; }

        [CommandOption("--password-file <FILE>")]
        [Description("A file holding the password (none: the user can only use API keys).")]
        public string? PasswordFile { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        string? password = null;
        if (settings.PasswordFile is { } file)
        {
            password = File.Exists(file) ? (await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false)).Trim() : throw new UserInputException($"{file}: the password file does not exist");
        }

        var store = await settings.UserStoreAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var user = await store.AddAsync(settings.Name, settings.Role, password, $"cli:{Environment.UserName}", cancellationToken).ConfigureAwait(false);
            console.MarkupLineInterpolated($"added user [bold]{user.Name}[/] with role {user.Role}");
            return 0;
        }
        catch (UserAdminException ex)
        {
            throw new UserInputException(ex.Message);
        }
    }
}

/// <summary><c>cellsegflows users list</c>.</summary>
internal sealed class UsersListCommand(IAnsiConsole console) : AsyncCommand<UsersSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, UsersSettings settings, CancellationToken cancellationToken)
    {
        var store = await settings.UserStoreAsync(cancellationToken).ConfigureAwait(false);
        var table = new Table().AddColumns("user", "role", "password", "disabled", "created");
        foreach (var u in await store.ListAsync(cancellationToken).ConfigureAwait(false))
        {
            table.AddRow(Markup.Escape(u.Name), u.Role, u.HasPassword ? "yes" : "no", u.Disabled ? "yes" : "no", u.CreatedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture));
        }

        console.Write(table);
        return 0;
    }
}

/// <summary><c>cellsegflows users key NAME [--label TEXT]</c>: prints a new API key once.</summary>
internal sealed class UsersKeyCommand(IAnsiConsole console) : AsyncCommand<UsersKeyCommand.Settings>
{
    public sealed class Settings : UsersSettings
    {
        [CommandArgument(0, "<NAME>")]
        [Description("The user the key acts as.")]
        public required string Name { get; init; }

        [CommandOption("--label <TEXT>")]
        [Description("What the key is for.")]
        public string? Label { get; init; }
    }

    public override async Task<int> ExecuteAsync(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var store = await settings.UserStoreAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var key = await store.CreateKeyAsync(settings.Name, settings.Label, $"cli:{Environment.UserName}", cancellationToken).ConfigureAwait(false);
            console.WriteLine(key.Key);
            console.MarkupLineInterpolated($"[grey]key {key.Id} for {key.UserName}: send it as the X-Api-Key header; it is not shown again[/]");
            return 0;
        }
        catch (UserAdminException ex)
        {
            throw new UserInputException(ex.Message);
        }
    }
}
