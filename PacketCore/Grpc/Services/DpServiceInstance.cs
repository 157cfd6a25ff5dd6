using System.Globalization;

namespace IronOrleans.PacketCore.Grpc.Services;

/// <summary>
/// The per-process identity and initialization flag of the dpservice contract (reference/dpservice.md §1.1):
/// a random upper-case UUID generated at process start (clients notice a restart by a new UUID) and the
/// "Initialize was called" gate.
/// </summary>
public sealed class DpServiceInstance
{
    private int _initialized;

    /// <summary>Creates an instance with a fresh UUID.</summary>
    public DpServiceInstance()
        : this(Guid.NewGuid())
    {
    }

    /// <summary>Creates an instance with a given UUID (tests).</summary>
    public DpServiceInstance(Guid uuid)
    {
        Uuid = uuid.ToString("D", CultureInfo.InvariantCulture).ToUpperInvariant();
    }

    /// <summary>The UUID returned by Initialize and CheckInitialized.</summary>
    public string Uuid { get; }

    /// <summary>Whether Initialize has been called at least once.</summary>
    public bool IsInitialized => Volatile.Read(ref _initialized) != 0;

    /// <summary>Opens the gate; returns true the first time.</summary>
    public bool MarkInitialized() => Interlocked.Exchange(ref _initialized, 1) == 0;
}
