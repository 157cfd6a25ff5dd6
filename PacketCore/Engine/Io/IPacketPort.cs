namespace IronOrleans.PacketCore.Io;

/// <summary>
/// A port: frames in, frames out. Called once per burst by the worker that owns it (never per packet), from that
/// worker's thread only.
/// </summary>
public interface IPacketPort : IDisposable
{
    /// <summary>Device name (what <c>CreateInterface.device_name</c> refers to).</summary>
    string Name { get; }

    /// <summary>Linux netdev name (the TAP name) or, for in-memory ports, <see cref="Name"/>.</summary>
    string NetdevName { get; }

    /// <summary>
    /// Reads up to <paramref name="max"/> frames into slots <paramref name="firstSlot"/>… of <paramref name="batch"/>
    /// (via <see cref="FrameBatch.ReceiveBuffer"/> and <see cref="FrameBatch.SetReceived"/>). Never blocks.
    /// </summary>
    /// <returns>Number of frames read (0 when none is waiting).</returns>
    int Receive(FrameBatch batch, int firstSlot, int max);

    /// <summary>Sends the frames in the given slots, in order. Frames the port cannot take are counted by the port and lost.</summary>
    /// <returns>Number of frames sent.</returns>
    int Transmit(FrameBatch batch, ReadOnlySpan<ushort> slots);
}
