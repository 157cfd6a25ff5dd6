using System.Globalization;

namespace IronOrleans.PacketCore.Daemon.Tests.EndToEnd;

/// <summary>Small helper scripts the end-to-end tests run inside namespaces, written once per test process.</summary>
public static class E2eScripts
{
    private static readonly Lock Gate = new();
    private static string? _dir;

    /// <summary>
    /// busybox udhcpc event script: applies the lease the way a cloud image would (address with the offered mask —
    /// dpservice hands out /32 — MTU, classless static routes, else the router) and prints "BOUND ip ...".
    /// </summary>
    public const string UdhcpcScript = """
        #!/bin/sh
        case "$1" in
          deconfig)
            ip addr flush dev "$interface"
            ip link set "$interface" up
            ;;
          bound|renew)
            ip addr flush dev "$interface"
            ip addr add "$ip/${subnet:-255.255.255.255}" dev "$interface"
            [ -n "$mtu" ] && ip link set "$interface" mtu "$mtu"
            if [ -n "$staticroutes" ]; then
              set -- $staticroutes
              while [ $# -ge 2 ]; do
                if [ "$2" = "0.0.0.0" ]; then
                  ip route replace "$1" dev "$interface"
                else
                  ip route replace "$1" via "$2" dev "$interface" onlink
                fi
                shift 2
              done
            elif [ -n "$router" ]; then
              gw="${router%% *}"
              ip route replace "$gw" dev "$interface"
              ip route replace default via "$gw" dev "$interface"
            fi
            echo "BOUND $ip subnet=$subnet mtu=$mtu dns=$dns router=$router routes=$staticroutes"
            ;;
        esac
        exit 0
        """;

    /// <summary>
    /// Raw AF_PACKET capture/injection (Python standard library only; no kernel tunnels involved):
    /// <c>capture IF MATCH TIMEOUT MAX</c> prints READY, then "FRAME hex" per received (not sent) frame that matches
    /// (ipip = IPv6 with next header 4/41, icmp4 = IPv4 ICMP, any); <c>send IF HEX COUNT</c> sends a frame COUNT times.
    /// </summary>
    public const string PacketScript = """
        import binascii, select, socket, sys, time
        ETH_P_ALL = 3
        def matches(kind, d):
            if len(d) < 14: return False
            et = (d[12] << 8) | d[13]
            if kind == "ipip": return et == 0x86dd and len(d) >= 54 and d[20] in (4, 41)
            if kind == "icmp4": return et == 0x0800 and len(d) >= 34 and d[23] == 1
            return True
        def capture(ifname, kind, timeout, maxn):
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
            s.bind((ifname, 0))
            print("READY", flush=True)
            deadline = time.time() + timeout
            n = 0
            while n < maxn:
                left = deadline - time.time()
                if left <= 0: break
                r, _, _ = select.select([s], [], [], left)
                if not r: break
                data, addr = s.recvfrom(65535)
                if addr[2] == socket.PACKET_OUTGOING: continue
                if matches(kind, data):
                    print("FRAME " + binascii.hexlify(data).decode(), flush=True)
                    n += 1
            print("DONE", flush=True)
        def send(ifname, hexframe, count):
            s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
            s.bind((ifname, 0))
            frame = binascii.unhexlify(hexframe)
            for _ in range(count):
                s.send(frame)
                time.sleep(0.2)
            print("SENT", flush=True)
        if sys.argv[1] == "capture": capture(sys.argv[2], sys.argv[3], float(sys.argv[4]), int(sys.argv[5]))
        elif sys.argv[1] == "send": send(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        """;

    /// <summary>
    /// A TCP transfer: <c>server IP PORT</c> prints READY, accepts one connection, prints "GOT n sha256";
    /// <c>client IP PORT BYTES</c> sends deterministic bytes and prints "SENT n sha256".
    /// </summary>
    public const string TcpScript = """
        import hashlib, socket, sys
        if sys.argv[1] == "server":
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((sys.argv[2], int(sys.argv[3]))); s.listen(1); s.settimeout(30)
            print("READY", flush=True)
            c, _ = s.accept(); c.settimeout(30); h = hashlib.sha256(); n = 0
            while True:
                b = c.recv(65536)
                if not b: break
                h.update(b); n += len(b)
            print("GOT %d %s" % (n, h.hexdigest()), flush=True)
        else:
            n = int(sys.argv[4]); data = bytes((i * 7 + 3) & 0xff for i in range(n))
            c = socket.create_connection((sys.argv[2], int(sys.argv[3])), timeout=30)
            c.sendall(data); c.shutdown(socket.SHUT_WR); c.recv(1); c.close()
            print("SENT %d %s" % (n, hashlib.sha256(data).hexdigest()), flush=True)
        """;

    public static string WriteUdhcpcScript() => Write("udhcpc.sh", UdhcpcScript, executable: true);

    public static string WritePacketScript() => Write("pkt.py", PacketScript, executable: false);

    public static string WriteTcpScript() => Write("tcp.py", TcpScript, executable: false);

    private static string Write(string name, string content, bool executable)
    {
        lock (Gate)
        {
            _dir ??= Directory.CreateTempSubdirectory("ironorleans-e2e-").FullName;
            var path = Path.Combine(_dir, name);
            if (!File.Exists(path))
            {
                File.WriteAllText(path, content.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
                if (executable && !OperatingSystem.IsWindows())
                {
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
                }
            }

            return path;
        }
    }

    internal static string Hex(int value) => value.ToString("x", CultureInfo.InvariantCulture);
}
