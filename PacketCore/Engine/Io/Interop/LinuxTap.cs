using System.Runtime.InteropServices;
using System.Text;

namespace IronOrleans.PacketCore.Io.Interop;

/// <summary>
/// The few libc calls a TAP port needs: open <c>/dev/net/tun</c>, <c>TUNSETIFF</c>, <c>SIOCSIFHWADDR</c>,
/// <c>SIOCGIFFLAGS</c>/<c>SIOCSIFFLAGS</c>, and non-blocking <c>read</c>/<c>write</c>. x86_64/aarch64 Linux constants.
/// </summary>
internal static unsafe partial class LinuxTap
{
    public const int EAGAIN = 11;
    public const int EINTR = 4;

    private const int ORdwr = 0x2;
    private const int ONonblock = 0x800;
    private const int OCloexec = 0x80000;
    private const nuint TunSetIff = 0x400454ca;
    private const nuint SiocGIfFlags = 0x8913;
    private const nuint SiocSIfFlags = 0x8914;
    private const nuint SiocSIfHwAddr = 0x8924;
    private const short IffTap = 0x0002;
    private const short IffNoPi = 0x1000;
    private const short IffUp = 0x1;
    private const ushort ArphrdEther = 1;
    private const int AfInet = 2;
    private const int SockDgram = 2;
    private const int IfNameSize = 16;
    private const int IfReqSize = 40;

    /// <summary>Creates (or attaches to) TAP <paramref name="name"/> and returns its non-blocking fd, or -errno.</summary>
    public static int OpenTap(string name)
    {
        var fd = open("/dev/net/tun", ORdwr | ONonblock | OCloexec);
        if (fd < 0)
        {
            return -Marshal.GetLastPInvokeError();
        }

        byte* ifr = stackalloc byte[IfReqSize];
        new Span<byte>(ifr, IfReqSize).Clear();
        WriteName(ifr, name);
        *(short*)(ifr + IfNameSize) = IffTap | IffNoPi;
        if (ioctl(fd, TunSetIff, ifr) < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            close(fd);
            return -errno;
        }

        return fd;
    }

    /// <summary>Sets the netdev's MAC; returns 0 or -errno.</summary>
    public static int SetMac(string name, ulong mac)
    {
        return WithSocket(name, (sock, ifr) =>
        {
            *(ushort*)(ifr + IfNameSize) = ArphrdEther;
            for (var i = 0; i < 6; i++)
            {
                ifr[IfNameSize + 2 + i] = (byte)(mac >> (40 - (8 * i)));
            }

            return ioctl(sock, SiocSIfHwAddr, ifr);
        });
    }

    /// <summary>Brings the netdev up; returns 0 or -errno.</summary>
    public static int SetUp(string name)
    {
        return WithSocket(name, (sock, ifr) =>
        {
            if (ioctl(sock, SiocGIfFlags, ifr) < 0)
            {
                return -1;
            }

            *(short*)(ifr + IfNameSize) |= IffUp;
            return ioctl(sock, SiocSIfFlags, ifr);
        });
    }

    /// <summary>Non-blocking read of one frame; returns its length, 0 if none is waiting, or -errno.</summary>
    public static int Read(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            var n = read(fd, p, (nuint)buffer.Length);
            if (n >= 0)
            {
                return (int)n;
            }

            var errno = Marshal.GetLastPInvokeError();
            return errno is EAGAIN or EINTR ? 0 : -errno;
        }
    }

    /// <summary>Writes one frame; returns bytes written, 0 if the queue is full, or -errno.</summary>
    public static int Write(int fd, ReadOnlySpan<byte> frame)
    {
        fixed (byte* p = frame)
        {
            var n = write(fd, p, (nuint)frame.Length);
            if (n >= 0)
            {
                return (int)n;
            }

            var errno = Marshal.GetLastPInvokeError();
            return errno is EAGAIN or EINTR ? 0 : -errno;
        }
    }

    public static void Close(int fd) => close(fd);

    private static int WithSocket(string name, IfReqAction action)
    {
        var sock = socket(AfInet, SockDgram, 0);
        if (sock < 0)
        {
            return -Marshal.GetLastPInvokeError();
        }

        try
        {
            byte* ifr = stackalloc byte[IfReqSize];
            new Span<byte>(ifr, IfReqSize).Clear();
            WriteName(ifr, name);
            return action(sock, ifr) < 0 ? -Marshal.GetLastPInvokeError() : 0;
        }
        finally
        {
            close(sock);
        }
    }

    private static void WriteName(byte* ifr, string name)
    {
        var bytes = Encoding.ASCII.GetBytes(name);
        if (bytes.Length >= IfNameSize)
        {
            throw new ArgumentException($"Interface name '{name}' is longer than {IfNameSize - 1} characters.", nameof(name));
        }

        bytes.CopyTo(new Span<byte>(ifr, IfNameSize));
    }

    private delegate int IfReqAction(int socket, byte* ifr);

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int ioctl(int fd, nuint request, void* argument);

    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    private static partial int socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "read", SetLastError = true)]
    private static partial nint read(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint write(int fd, byte* buffer, nuint count);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int close(int fd);
}
