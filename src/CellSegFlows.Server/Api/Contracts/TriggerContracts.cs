using CellSegFlows.Engine.Store;

namespace CellSegFlows.Server.Api.Contracts;

/// <summary>One firing of a schedule or a watch: a run started, an overlap skipped, a failure.</summary>
/// <param name="Id">Sequence number.</param>
/// <param name="TriggerKind">schedule or watch.</param>
/// <param name="TriggerId">The schedule's or watch's id.</param>
/// <param name="Time">When.</param>
/// <param name="Outcome">What happened.</param>
/// <param name="Message">Why, or what file.</param>
/// <param name="RunId">The run it started, if any.</param>
/// <param name="FiredBy">Who fired it by hand (null when it fired on its own).</param>
public sealed record TriggerFiringDto(long Id, string TriggerKind, string TriggerId, DateTimeOffset Time, FiringOutcome Outcome, string? Message, string? RunId, string? FiredBy);

/// <summary>One schedule with its latest firings.</summary>
public sealed record ScheduleDetailDto(ScheduleDto Schedule, IReadOnlyList<TriggerFiringDto> Firings);

/// <summary>One watch with its latest starts and failures.</summary>
public sealed record WatchDetailDto(WatchDto Watch, IReadOnlyList<TriggerFiringDto> Firings);
