namespace CellSegFlows.Engine.Registry;

/// <summary>
/// A model reference or registry request that cannot be met: an unknown model, a version that does not exist, a model
/// without a champion, an invalid name. A user's mistake (never retried); the message says which model and why.
/// </summary>
public sealed class ModelRegistryException(string message) : Exception(message);
