using IronOrleans.PacketCore.Io.Interop;

namespace IronOrleans.PacketCore.Io;

/// <summary>
/// A Linux TAP device (<c>IFF_TAP | IFF_NO_PI</c>): raw Ethernet frames, non-blocking. The TAP netdev is the other side
/// of the port (the VM's NIC, moved into a namespace, or the router side of the uplink); the device is removed when the
/// port is disposed (it is not persistent).
/// </summary>
public sealed class TapPort : IPacketPort
{
    private int _fd;
    private long _readErrors;
    private long _writeDrops;

    private TapPort(int fd, string netdevName, string name)
    {
        _fd = fd;
        NetdevName = netdevName;
        Name = name;
    }

    public string Name { get; }

    public string NetdevName { get; }

    /// <summary>Reads that failed with an error other than "no frame waiting".</summary>
    public long ReadErrors => Volatile.Read(ref _readErrors);

    /// <summary>Frames the kernel did not accept (queue full or error).</summary>
    public long WriteDrops => Volatile.Read(ref _writeDrops);

    /// <summary>
    /// Creates TAP <paramref name="netdevName"/>, sets its MAC to <paramref name="netdevMac"/> (0 = keep the kernel's) and
    /// brings it up. Needs CAP_NET_ADMIN.
    /// </summary>
    /// <exception cref="IOException">The device could not be created or configured.</exception>
    public static TapPort Open(string netdevName, string? name = null, ulong netdevMac = 0)
    {
        ArgumentException.ThrowIfNullOrEmpty(netdevName);
        var fd = LinuxTap.OpenTap(netdevName);
        if (fd < 0)
        {
            throw new IOException($"Cannot create TAP '{netdevName}' (errno {-fd}).");
        }

        var port = new TapPort(fd, netdevName, name ?? netdevName);
        try
        {
            int rc;
            if (netdevMac != 0 && (rc = LinuxTap.SetMac(netdevName, netdevMac)) < 0)
            {
                throw new IOException($"Cannot set the MAC of '{netdevName}' (errno {-rc}).");
            }

            if ((rc = LinuxTap.SetUp(netdevName)) < 0)
            {
                throw new IOException($"Cannot bring '{netdevName}' up (errno {-rc}).");
            }
        }
        catch
        {
            port.Dispose();
            throw;
        }

        return port;
    }

    public int Receive(FrameBatch batch, int firstSlot, int max)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var fd = _fd;
        var count = 0;
        while (count < max && fd >= 0)
        {
            var slot = firstSlot + count;
            var n = LinuxTap.Read(fd, batch.ReceiveBuffer(slot));
            if (n <= 0)
            {
                if (n < 0)
                {
                    _readErrors++;
                }

                break;
            }

            batch.SetReceived(slot, n);
            count++;
        }

        return count;
    }

    public int Transmit(FrameBatch batch, ReadOnlySpan<ushort> slots)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var sent = 0;
        foreach (var slot in slots)
        {
            if (_fd >= 0 && LinuxTap.Write(_fd, batch.Frame(slot)) > 0)
            {
                sent++;
            }
            else
            {
                _writeDrops++;
            }
        }

        return sent;
    }

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            LinuxTap.Close(fd);
        }
    }
}
