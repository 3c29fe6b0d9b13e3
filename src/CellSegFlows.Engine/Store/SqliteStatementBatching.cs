using Microsoft.EntityFrameworkCore.Update;

namespace CellSegFlows.Engine.Store;

/// <summary>
/// Lets one SaveChanges on the SQLite run store send its statements as one command instead of one command per
/// row. EF's SQLite provider sends each insert and update alone (a batch saves no network round trip in a
/// process), but each command still costs EF a command, its parameters and a reader: a step's two units of
/// work write about ten rows, and those commands were most of the run store's CPU time per step. SQLite runs
/// the statements of one command in order in the same transaction, so what is written does not change.
/// </summary>
internal sealed class SqliteStatementBatching(ModificationCommandBatchFactoryDependencies dependencies) : IModificationCommandBatchFactory
{
    /// <summary>Rows per command: a step's units write fewer; a fan-out's expansion is split into commands of this many.</summary>
    private const int MaxRowsPerCommand = 100;

    /// <inheritdoc />
    public ModificationCommandBatch Create() => new Batch(dependencies);

    /// <summary>EF's batch that checks each statement's affected rows, up to <see cref="MaxRowsPerCommand"/> statements.</summary>
    private sealed class Batch(ModificationCommandBatchFactoryDependencies dependencies) : AffectedCountModificationCommandBatch(dependencies, MaxRowsPerCommand);
}
