namespace IronOrleans.PacketCore.Io;

/// <summary>
/// A port backed by two bounded single-producer/single-consumer rings: <see cref="Inject"/> feeds frames to the engine,
/// <see cref="TryTakeTransmitted"/> collects what the engine sent. Used by tests, simulations and benchmarks.
/// </summary>
/// <remarks>
/// The engine side (<see cref="Receive"/>, <see cref="Transmit"/>) never locks or allocates. <see cref="Inject"/> may be
/// called from several threads (it serializes producers among themselves); <see cref="TryTakeTransmitted"/> from one.
/// For benchmarks a port can act as an endless source (<see cref="SetGenerator(ReadOnlySpan{byte})"/>) and a counting sink
/// (<see cref="DiscardTransmitted"/>).
/// </remarks>
public sealed class InMemoryPort : IPacketPort
{
    private readonly Lock _producerGate = new();
    private readonly byte[][] _rx;
    private readonly int[] _rxLength;
    private readonly byte[][] _tx;
    private readonly int[] _txLength;
    private readonly int _mask;
    private long _rxHead;
    private long _rxTail;
    private long _txHead;
    private long _txTail;
    private Generator? _generator;
    private long _transmitted;
    private long _txDropped;
    private long _received;

    public InMemoryPort(string name, string? netdevName = null, int ringSize = 1024)
    {
        if (ringSize < 2 || (ringSize & (ringSize - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ringSize), "Ring size must be a power of two.");
        }

        Name = name;
        NetdevName = netdevName ?? name;
        _mask = ringSize - 1;
        _rx = new byte[ringSize][];
        _tx = new byte[ringSize][];
        _rxLength = new int[ringSize];
        _txLength = new int[ringSize];
        for (var i = 0; i < ringSize; i++)
        {
            _rx[i] = new byte[FrameBatch.MaxFrameLength];
            _tx[i] = new byte[FrameBatch.SlotSize];
        }
    }

    public string Name { get; }

    public string NetdevName { get; }

    /// <summary>When true, transmitted frames are only counted (benchmark sink).</summary>
    public bool DiscardTransmitted { get; set; }

    /// <summary>Frames the engine sent to this port (including discarded ones).</summary>
    public long TransmittedCount => Volatile.Read(ref _transmitted);

    /// <summary>Frames lost because the transmit ring was full.</summary>
    public long TransmitDropped => Volatile.Read(ref _txDropped);

    /// <summary>Frames the engine has read from this port.</summary>
    public long ReceivedCount => Volatile.Read(ref _received);

    /// <summary>Frames waiting in the transmit ring.</summary>
    public int PendingTransmitted => (int)(Volatile.Read(ref _txHead) - Volatile.Read(ref _txTail));

    /// <summary>Makes every <see cref="Receive"/> return a full burst of copies of <paramref name="template"/> (empty = off).</summary>
    public void SetGenerator(ReadOnlySpan<byte> template) => SetGenerator(template.IsEmpty ? [] : [template.ToArray()]);

    /// <summary>
    /// Makes every <see cref="Receive"/> return a full burst of copies of the templates, one after the other, round robin
    /// (empty = off). May be called while the engine runs: the engine switches to the new list at its next burst.
    /// </summary>
    public void SetGenerator(IReadOnlyList<byte[]> templates)
    {
        ArgumentNullException.ThrowIfNull(templates);
        if (templates.Any(t => t.Length is 0 or > FrameBatch.MaxFrameLength))
        {
            throw new ArgumentException($"every template must be 1 to {FrameBatch.MaxFrameLength} bytes long", nameof(templates));
        }

        Volatile.Write(ref _generator, templates.Count == 0 ? null : new Generator(templates.Select(t => (byte[])t.Clone()).ToArray()));
    }

    /// <summary>Queues a frame for the engine to receive. Returns false if the ring is full or the frame too long.</summary>
    public bool Inject(ReadOnlySpan<byte> frame)
    {
        if (frame.Length > FrameBatch.MaxFrameLength)
        {
            return false;
        }

        lock (_producerGate)
        {
            var head = _rxHead;
            if (head - Volatile.Read(ref _rxTail) > _mask)
            {
                return false;
            }

            var index = (int)(head & _mask);
            frame.CopyTo(_rx[index]);
            _rxLength[index] = frame.Length;
            Volatile.Write(ref _rxHead, head + 1);
            return true;
        }
    }

    /// <summary>Takes the oldest transmitted frame (a copy), if any.</summary>
    public bool TryTakeTransmitted(out byte[] frame)
    {
        var tail = _txTail;
        if (tail == Volatile.Read(ref _txHead))
        {
            frame = [];
            return false;
        }

        var index = (int)(tail & _mask);
        frame = _tx[index].AsSpan(0, _txLength[index]).ToArray();
        Volatile.Write(ref _txTail, tail + 1);
        return true;
    }

    public int Receive(FrameBatch batch, int firstSlot, int max)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var generator = Volatile.Read(ref _generator);
        if (generator is not null)
        {
            var templates = generator.Templates;
            var next = generator.Next;
            for (var i = 0; i < max; i++)
            {
                var template = templates[next];
                next = next + 1 == templates.Length ? 0 : next + 1;
                template.CopyTo(batch.ReceiveBuffer(firstSlot + i));
                batch.SetReceived(firstSlot + i, template.Length);
            }

            generator.Next = next;
            _received += max;
            return max;
        }

        var tail = _rxTail;
        var available = (int)Math.Min(Volatile.Read(ref _rxHead) - tail, max);
        for (var i = 0; i < available; i++)
        {
            var index = (int)((tail + i) & _mask);
            var length = _rxLength[index];
            _rx[index].AsSpan(0, length).CopyTo(batch.ReceiveBuffer(firstSlot + i));
            batch.SetReceived(firstSlot + i, length);
        }

        Volatile.Write(ref _rxTail, tail + available);
        Volatile.Write(ref _received, _received + available);
        return available;
    }

    public int Transmit(FrameBatch batch, ReadOnlySpan<ushort> slots)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (DiscardTransmitted)
        {
            Volatile.Write(ref _transmitted, _transmitted + slots.Length);
            return slots.Length;
        }

        var head = _txHead;
        var sent = 0;
        foreach (var slot in slots)
        {
            if (head - Volatile.Read(ref _txTail) > _mask)
            {
                Volatile.Write(ref _txDropped, _txDropped + 1);
                continue;
            }

            var frame = batch.Frame(slot);
            var index = (int)(head & _mask);
            frame.CopyTo(_tx[index]);
            _txLength[index] = frame.Length;
            head++;
            sent++;
        }

        Volatile.Write(ref _txHead, head);
        Volatile.Write(ref _transmitted, _transmitted + sent);
        return sent;
    }

    public void Dispose()
    {
    }

    /// <summary>The generator's templates and its position in them, replaced as one object.</summary>
    private sealed class Generator(byte[][] templates)
    {
        public byte[][] Templates { get; } = templates;

        /// <summary>Touched only by the engine thread.</summary>
        public int Next { get; set; }
    }
}
