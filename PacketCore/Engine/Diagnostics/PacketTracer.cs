using System.Runtime.CompilerServices;

namespace IronOrleans.PacketCore.Diagnostics;

/// <summary>One traced packet: where it came from, where it went (or why it was dropped), and its first bytes.</summary>
public sealed record TraceRecord(long Sequence, long Timestamp, int InPort, int OutPort, DropReason Drop, int Length, byte[] Head);

/// <summary>
/// Switchable packet tracer writing into a bounded ring (dpservice's graphtrace). Off by default; when off it costs one
/// branch per packet. Written by its worker only; <see cref="Read"/> copies the ring (entries being overwritten while
/// read may be mixed; it is a diagnostic).
/// </summary>
public sealed class PacketTracer
{
    /// <summary>Bytes of each frame kept.</summary>
    public const int HeadLength = 96;

    private readonly long[] _timestamp;
    private readonly int[] _inPort;
    private readonly int[] _outPort;
    private readonly DropReason[] _drop;
    private readonly int[] _length;
    private readonly byte[] _head;
    private readonly int _mask;
    private long _next;
    private volatile bool _enabled;

    internal PacketTracer(int capacity)
    {
        var size = 16;
        while (size < capacity)
        {
            size <<= 1;
        }

        _mask = size - 1;
        _timestamp = new long[size];
        _inPort = new int[size];
        _outPort = new int[size];
        _drop = new DropReason[size];
        _length = new int[size];
        _head = new byte[size * HeadLength];
    }

    /// <summary>Switches tracing on or off at run time.</summary>
    public bool Enabled
    {
        get => _enabled;
        set => _enabled = value;
    }

    public int Capacity => _mask + 1;

    [MethodImpl(MethodImplOptions.NoInlining)]
    internal void Record(long timestamp, int inPort, int outPort, DropReason drop, ReadOnlySpan<byte> frame)
    {
        var sequence = _next;
        var i = (int)(sequence & _mask);
        _timestamp[i] = timestamp;
        _inPort[i] = inPort;
        _outPort[i] = outPort;
        _drop[i] = drop;
        _length[i] = frame.Length;
        var head = _head.AsSpan(i * HeadLength, HeadLength);
        head.Clear();
        frame[..Math.Min(frame.Length, HeadLength)].CopyTo(head);
        Volatile.Write(ref _next, sequence + 1);
    }

    /// <summary>Copies the entries currently in the ring, oldest first.</summary>
    public IReadOnlyList<TraceRecord> Read()
    {
        var end = Volatile.Read(ref _next);
        var start = Math.Max(0, end - Capacity);
        var list = new List<TraceRecord>((int)(end - start));
        for (var s = start; s < end; s++)
        {
            var i = (int)(s & _mask);
            var length = _length[i];
            list.Add(new TraceRecord(s, _timestamp[i], _inPort[i], _outPort[i], _drop[i], length,
                _head.AsSpan(i * HeadLength, Math.Min(length, HeadLength)).ToArray()));
        }

        return list;
    }
}
