namespace CellSegFlows.Engine.Runtime;

/// <summary>A request the engine cannot carry out (unknown run, run not resumable, …): shown to the user as one line.</summary>
public sealed class EngineException(string message) : Exception(message);
