namespace CellSegFlows.Server.Auth;

/// <summary>
/// The four roles. Everyone with a role may read; editors change definitions; operators start, cancel and
/// retry runs and manage schedules and watches; admins do all of that and manage users and keys.
/// </summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string Editor = "editor";
    public const string Operator = "operator";
    public const string Admin = "admin";

    /// <summary>Every role, lowest first.</summary>
    public static readonly IReadOnlyList<string> All = [Viewer, Editor, Operator, Admin];

    /// <summary>Policy names used on endpoints.</summary>
    public static class Policies
    {
        public const string Read = "read";
        public const string Edit = "edit";
        public const string Operate = "operate";
        public const string Administer = "administer";
    }

    /// <summary>True for a known role name.</summary>
    public static bool IsRole(string? role) => role is not null && All.Contains(role);
}
