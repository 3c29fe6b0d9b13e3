namespace CellSegFlows.Cli;

/// <summary>Who a command-line change is recorded as (runs' started-by, the audit log): the operating-system user.</summary>
internal static class CliUser
{
    /// <summary><c>cli:&lt;user&gt;</c>, so the audit log tells command-line changes from the server's signed-in users.</summary>
    public static string Name { get; } = "cli:" + Environment.UserName;
}
