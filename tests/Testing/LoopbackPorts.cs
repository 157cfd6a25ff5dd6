using System.Net;
using System.Net.Sockets;

namespace IronOrleans.Testing;

/// <summary>Free TCP ports on 127.0.0.1 for test and benchmark hosts.</summary>
public static class LoopbackPorts
{
    /// <summary>A port that was free a moment ago (the listener is closed again before returning).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
