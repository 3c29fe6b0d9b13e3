namespace CellSegFlows.Server.Api.Contracts;

/// <summary>One entry of the audit log: who changed what and when.</summary>
/// <param name="Id">Sequence number.</param>
/// <param name="Time">When.</param>
/// <param name="Actor">Who (user name, or <c>key:ID</c> for an API key).</param>
/// <param name="Action">What, e.g. <c>definition.save</c>, <c>run.start</c>.</param>
/// <param name="Target">What it was done to (a hash, a run id, a user name).</param>
/// <param name="Detail">More about it, if anything.</param>
public sealed record AuditEntryDto(long Id, DateTimeOffset Time, string Actor, string Action, string Target, string? Detail);
