namespace Kvm.Ovsdb;

/// <summary>
/// An error ovsdb-server reported, with its own words: <see cref="Error"/> is the short tag
/// ("constraint violation", "timed out", "referential integrity violation", "unknown database", ...)
/// and <see cref="Details"/> its explanation. Nothing of the transaction was committed.
/// </summary>
public sealed class OvsdbException : Exception
{
    public OvsdbException(string error, string? details, int? operationIndex, string? operation)
        : base(Describe(error, details, operationIndex, operation))
    {
        Error = error;
        Details = details;
        OperationIndex = operationIndex;
        Operation = operation;
    }

    public string Error { get; }
    public string? Details { get; }

    /// <summary>Which operation of the transaction failed (0-based); null for an error of the request or of the commit.</summary>
    public int? OperationIndex { get; }

    /// <summary>The failed operation's kind ("wait", "insert", ...), when known.</summary>
    public string? Operation { get; }

    /// <summary>A "wait" guard found the rows changed since they were read: someone else edited them.</summary>
    public bool IsConcurrentChange => Error == "timed out" && Operation == "wait";

    private static string Describe(string error, string? details, int? index, string? operation) =>
        $"{error}{(details is { Length: > 0 } d ? $": {d}" : "")}{(index is { } i ? $" (operation {i + 1}, {operation})" : "")}";
}

/// <summary>ovsdb-server could not be reached, or the connection broke before it answered.</summary>
public sealed class OvsdbConnectionException(string message, Exception? inner = null) : IOException(message, inner);
