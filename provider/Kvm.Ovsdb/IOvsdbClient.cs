using System.Collections.Immutable;

namespace Kvm.Ovsdb;

/// <summary>An OVSDB server's "transact" (RFC 7047 4.1.3); mocked in unit tests.</summary>
public interface IOvsdbClient
{
    /// <summary>Where the server is, for messages ("unix:/run/openvswitch/db.sock").</summary>
    string Endpoint { get; }

    /// <summary>
    /// Runs <paramref name="operations"/> as one transaction: all of them or none. A failed operation or
    /// commit throws <see cref="OvsdbException"/> with the server's words; an unreachable server
    /// <see cref="OvsdbConnectionException"/>.
    /// </summary>
    Task<ImmutableArray<OperationResult>> TransactAsync(string database, IReadOnlyList<Operation> operations, CancellationToken ct = default);
}
