using System.Runtime.CompilerServices;

namespace IronOrleans.PacketCore.Diagnostics;

/// <summary>
/// One worker's counters: <see cref="DropReason"/> slots, then <see cref="PacketCounter"/> slots, in one array padded
/// by a cache line on both ends so two workers' arrays never share a line. Written only by the owning worker with plain
/// stores; read by others with <see cref="Volatile.Read(ref readonly long)"/> (no Interlocked on the hot path).
/// </summary>
internal sealed class PacketCounters
{
    public const int DropReasonCount = 32;
    public const int CounterBase = DropReasonCount;
    public const int CounterCount = 32;
    private const int Padding = 8;

    private readonly long[] _values = new long[Padding + DropReasonCount + CounterCount + Padding];

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Drop(DropReason reason) => _values[Padding + (int)reason]++;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Count(PacketCounter counter) => _values[Padding + CounterBase + (int)counter]++;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(PacketCounter counter, int value) => _values[Padding + CounterBase + (int)counter] += value;

    /// <summary>Reads slot <paramref name="index"/> (a drop reason, or <see cref="CounterBase"/> + counter).</summary>
    public long Read(int index) => Volatile.Read(ref _values[Padding + index]);
}
