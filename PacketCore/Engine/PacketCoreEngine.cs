using System.Diagnostics.Metrics;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using IronOrleans.PacketCore.Control;
using IronOrleans.PacketCore.Diagnostics;
using IronOrleans.PacketCore.Graph;
using IronOrleans.PacketCore.Io;
using IronOrleans.PacketCore.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IronOrleans.PacketCore;

/// <summary>
/// The PacketCore data plane: ports, one packet worker on a dedicated thread, and the control surface
/// (<see cref="Control"/>). Tests and benchmarks can leave the thread off and drive <see cref="ProcessBurst"/> directly.
/// </summary>
public sealed partial class PacketCoreEngine : IDisposable
{
    private readonly ILogger _logger;
    private readonly IPacketPort[] _ports;
    private readonly PacketWorker _worker;
    private readonly PacketCoreInstruments _instruments;
    private readonly SnapshotHolder _snapshots;
    private Thread? _thread;
    private volatile bool _running;
    private long _workerFaults;

    /// <param name="options">Validated at construction; invalid options throw <see cref="ArgumentException"/>.</param>
    /// <param name="loggerFactory">Optional logging.</param>
    /// <param name="meterFactory">Creates the <c>IronOrleans.PacketCore</c> meter; a private meter is used when null.</param>
    /// <param name="timeProvider">Clock of flow aging and neighbor discovery; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="portFactory">Opens a port for its options (second argument true for the uplink); by default
    /// <see cref="PacketCoreOptions.Backend"/> decides between <see cref="InMemoryPort"/> and <see cref="TapPort"/>.</param>
    public PacketCoreEngine(
        PacketCoreOptions options,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null,
        TimeProvider? timeProvider = null,
        Func<PacketPortOptions, bool, IPacketPort>? portFactory = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<PacketCoreEngine>();
        var settings = EngineSettings.From(options);
        portFactory ??= (port, _) => options.Backend == PortBackend.Tap
            ? TapPort.Open(port.TapName ?? port.Name, port.Name, ParseMac(port.PeerMac))
            : new InMemoryPort(port.Name, port.TapName, options.InMemoryRingSize);

        var all = new List<PacketPortOptions>(options.VmPorts.Count + 1) { options.Uplink };
        all.AddRange(options.VmPorts);
        _ports = new IPacketPort[all.Count];
        var descriptors = new PortDescriptor[all.Count];
        try
        {
            for (var i = 0; i < all.Count; i++)
            {
                _ports[i] = portFactory(all[i], i == 0);
                descriptors[i] = new PortDescriptor(i, all[i].Name, _ports[i].NetdevName, settings.PortMacs[i], i == 0);
            }
        }
        catch
        {
            foreach (var port in _ports)
            {
                port?.Dispose();
            }

            throw;
        }

        _snapshots = new SnapshotHolder(DataPlaneSnapshot.Empty(all.Count));
        Control = new PacketCoreControl(descriptors, settings.HostUnderlay, snapshot => _snapshots.Current = snapshot);
        _instruments = new PacketCoreInstruments(meterFactory);
        _worker = new PacketWorker(0, settings, _ports, _snapshots, timeProvider ?? TimeProvider.System);
        _instruments.Register(_worker);
    }

    public PacketCoreOptions Options { get; }

    /// <summary>The in-process control surface (dpservice's RPC semantics).</summary>
    public PacketCoreControl Control { get; }

    /// <summary>The uplink (PF) port.</summary>
    public IPacketPort Uplink => _ports[0];

    /// <summary>All ports: index 0 is the uplink, then the VM ports in option order.</summary>
    public IReadOnlyList<IPacketPort> Ports => _ports;

    /// <summary>The packet tracer of the (single) worker; switch it on with <see cref="PacketTracer.Enabled"/>.</summary>
    public PacketTracer Tracer => _worker.Tracer;

    /// <summary>The (single) worker, for tests and benchmarks.</summary>
    internal PacketWorker Worker => _worker;

    public bool IsRunning => _running;

    /// <summary>Bursts lost to an unexpected exception in the packet path (should stay 0; each is logged).</summary>
    public long WorkerFaults => Interlocked.Read(ref _workerFaults);

    /// <summary>The port with the given device or netdev name.</summary>
    public IPacketPort GetPort(string name)
    {
        foreach (var port in _ports)
        {
            if (port.Name == name || port.NetdevName == name)
            {
                return port;
            }
        }

        throw new KeyNotFoundException($"No port named '{name}'.");
    }

    /// <summary>Current drop counters summed over workers, indexed by <see cref="DropReason"/>.</summary>
    public long GetDropCount(DropReason reason) => _worker.Counters.Read((int)reason);

    /// <summary>Current packet counters (received, transmitted, …) summed over workers.</summary>
    public long GetCount(PacketCounter counter) => _worker.Counters.Read(PacketCounters.CounterBase + (int)counter);

    /// <summary>
    /// Polls every port once, processes what arrived, transmits the results and runs the periodic work (flow aging,
    /// neighbor discovery). Only for callers that did not <see cref="Start"/> the worker thread.
    /// </summary>
    /// <returns>Frames received.</returns>
    public int ProcessBurst()
    {
        if (_running)
        {
            throw new InvalidOperationException("The worker thread is running; ProcessBurst is for manual driving only.");
        }

        return _worker.PollOnce();
    }

    /// <summary>Starts the dedicated worker thread (busy-polls with a short back-off when idle).</summary>
    public void Start()
    {
        if (_running)
        {
            return;
        }

        _running = true;
        _thread = new Thread(RunWorker) { IsBackground = true, Name = "PacketCore worker 0" };
        _thread.Start();
        LogStarted(_logger, _ports.Length - 1);
    }

    /// <summary>Stops the worker thread and waits for it (bounded).</summary>
    public void Stop()
    {
        if (!_running)
        {
            return;
        }

        _running = false;
        if (_thread is { } thread && !thread.Join(TimeSpan.FromSeconds(10)))
        {
            LogWorkerStopTimeout(_logger);
        }

        _thread = null;
        LogStopped(_logger);
    }

    public void Dispose()
    {
        Stop();
        foreach (var port in _ports)
        {
            port.Dispose();
        }

        _instruments.Dispose();
    }

    private void RunWorker()
    {
        var idle = 0;
        while (_running)
        {
            try
            {
                if (_worker.PollOnce() > 0)
                {
                    idle = 0;
                    continue;
                }
            }
            catch (Exception ex)
            {
                // A bug in the packet path must not kill the data plane silently; count it and carry on.
                Interlocked.Increment(ref _workerFaults);
                LogWorkerFault(_logger, ex);
            }

            // Idle back-off: spin a little, then yield, then sleep 1 ms (a busy core costs the other helpers' builds).
            if (++idle < 64)
            {
                Thread.SpinWait(32);
            }
            else if (idle < 128)
            {
                Thread.Yield();
            }
            else
            {
                Thread.Sleep(1);
            }
        }
    }

    internal static ulong ParseMac(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        Span<byte> bytes = stackalloc byte[8];
        bytes.Clear();
        PhysicalAddress.Parse(text).GetAddressBytes().CopyTo(bytes[2..]);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt64BigEndian(bytes);
    }

    internal static UInt128 ParseIpv6(string text, string what)
    {
        if (!IPAddress.TryParse(text, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            throw new ArgumentException($"{what} must be an IPv6 address: '{text}'.");
        }

        return AddressConversions.ToUInt128(address);
    }
}
