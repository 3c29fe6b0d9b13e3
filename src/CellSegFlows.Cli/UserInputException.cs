namespace CellSegFlows.Cli;

/// <summary>A wrong option or a missing file on the command line: printed as one line, exit code 2.</summary>
public sealed class UserInputException(string message) : Exception(message);
