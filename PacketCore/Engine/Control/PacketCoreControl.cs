using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using IronOrleans.PacketCore.Tables;

namespace IronOrleans.PacketCore.Control;

/// <summary>
/// The engine's control side (see <see cref="IPacketCoreControl"/>). Keeps a mutable model under a private lock that
/// only control callers take, and publishes an immutable <see cref="DataPlaneSnapshot"/> after every change.
/// </summary>
public sealed class PacketCoreControl : IPacketCoreControl
{
    /// <summary>dpservice table limits (reference/dpservice.md §2.15).</summary>
    internal const int MaxVnis = 512;
    internal const int MaxRoutesPerFamily = 1024;
    internal const int MaxVnfs = 1000;
    internal const int MaxIdLength = 63;
    internal const int MaxHostnameLength = 63;
    internal const int MaxBootFileLength = 31;
    internal const uint MaxVni = 0xFFFFFF;

    private readonly Lock _gate = new();
    private readonly PortDescriptor[] _ports;
    private readonly UInt128 _hostPrefix;
    private readonly Action<DataPlaneSnapshot> _publish;
    private readonly Dictionary<string, InterfaceModel> _interfaces = new(StringComparer.Ordinal);
    private readonly Dictionary<uint, VniModel> _vnis = [];
    private readonly Dictionary<UInt128, VnfModel> _vnfs = [];
    private readonly Dictionary<ulong, string> _dnat = [];
    private readonly InterfaceModel?[] _portOwner;
    private readonly byte _underlayRandom;
    private uint _underlayCounter;
    private long _version;
    private long _natEpoch;

    // The interface-side parts of the last snapshot, reused by route changes (which leave interfaces, VNFs and the set
    // of VNIs alone), so installing one route costs that VNI's tables rather than a rebuild of every interface.
    private InterfaceEntry?[]? _publishedInterfaces;
    private UInt128Map<VnfEntry>? _publishedVnfs;
    private volatile bool _initialized;

    internal PacketCoreControl(IReadOnlyList<PortDescriptor> ports, UInt128 hostUnderlay, Action<DataPlaneSnapshot> publish)
    {
        _ports = [.. ports];
        _portOwner = new InterfaceModel?[_ports.Length];
        _hostPrefix = hostUnderlay & (UInt128.MaxValue << 64);
        _publish = publish;
        Uuid = Guid.NewGuid().ToString("D").ToUpperInvariant();
        _underlayRandom = (byte)Random.Shared.Next(256);
        _underlayCounter = (uint)Random.Shared.NextInt64(uint.MaxValue);
        ServiceVersion = typeof(PacketCoreControl).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
    }

    /// <summary>Random upper-case UUID of this engine instance (new per process start).</summary>
    public string Uuid { get; }

    public string ServiceVersion { get; }

    public bool IsInitialized => _initialized;

    /// <summary>The ports of the engine (index 0 = uplink).</summary>
    public IReadOnlyList<PortDescriptor> Ports => _ports;

    public ControlResult<string> CheckInitialized() =>
        _initialized ? ControlResult.Success(Uuid) : ControlResult.NotInitialized;

    public ControlResult<string> Initialize()
    {
        lock (_gate)
        {
            foreach (var vni in _vnis.Values)
            {
                vni.RemoveExternalRoutes();
            }

            _initialized = true;
            Publish();
            return ControlResult.Success(Uuid);
        }
    }

    public ControlResult<VersionInfo> GetVersion() =>
        _initialized ? ControlResult.Success(new VersionInfo(ServiceVersion, ServiceVersion)) : ControlResult.NotInitialized;

    public ControlResult<InterfaceCreated> CreateInterface(CreateInterfaceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_initialized)
        {
            return ControlResult.NotInitialized;
        }

        if (!IsValidInterfaceId(request.InterfaceId))
        {
            return ControlResult.Invalid("Invalid interface_id");
        }

        if (request.Vni > MaxVni)
        {
            return ControlResult.Invalid("VNI exceeds 24-bit range");
        }

        if (request.Ipv4 is not null && request.Ipv4.AddressFamily != AddressFamily.InterNetwork)
        {
            return ControlResult.Invalid("Invalid ipv4_config.primary_address");
        }

        if (request.Ipv6 is not null && request.Ipv6.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return ControlResult.Invalid("Invalid ipv6_config.primary_address");
        }

        var ipv4 = request.Ipv4 is null ? 0u : AddressConversions.ToUInt32(request.Ipv4);
        var ipv6 = request.Ipv6 is null ? UInt128.Zero : AddressConversions.ToUInt128(request.Ipv6);
        if (ipv4 == 0 && ipv6 == UInt128.Zero)
        {
            return ControlResult.Invalid("Invalid ipv4_config.primary_address and ipv6_config.primary_address combination");
        }

        if (request.Hostname is { Length: > MaxHostnameLength })
        {
            return ControlResult.Invalid("Invalid hostname");
        }

        uint pxe4 = 0;
        var pxeIs6 = false;
        if (request.Pxe is { } pxe)
        {
            if (pxe.BootFileName.Length > MaxBootFileLength)
            {
                return ControlResult.Invalid("Invalid pxe_config.boot_filename");
            }

            // dpservice parses next_server as IPv6 when the interface has IPv6, else as IPv4.
            if (pxe.NextServer.Length > 0)
            {
                pxeIs6 = ipv6 != UInt128.Zero;
                if (!IPAddress.TryParse(pxe.NextServer, out var next) ||
                    next.AddressFamily != (pxeIs6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork))
                {
                    return ControlResult.Invalid("Invalid pxe_config.next_server");
                }

                pxe4 = pxeIs6 ? 0 : AddressConversions.ToUInt32(next);
            }
        }

        if (!TryValidatePreferred(request.PreferredUnderlayRoute, out var preferred, out var invalid))
        {
            return invalid;
        }

        lock (_gate)
        {
            // dpservice's error order: device (201/202), underlay collision (401), duplicate id (402), VNI (361), host route (301).
            int port;
            if (request.DeviceName.Length == 0)
            {
                port = FirstFreeVmPort();
                if (port < 0)
                {
                    return ControlResult.Fail(DpError.LimitReached);
                }
            }
            else
            {
                port = FindPort(request.DeviceName);
                if (port < 0)
                {
                    return ControlResult.Fail(DpError.NotFound);
                }

                if (_portOwner[port] is not null)
                {
                    return ControlResult.Fail(DpError.AlreadyExists);
                }
            }

            if (preferred != UInt128.Zero && _vnfs.ContainsKey(preferred))
            {
                return ControlResult.Fail(DpError.VnfInsert);
            }

            if (_interfaces.ContainsKey(request.InterfaceId))
            {
                return ControlResult.Fail(DpError.VmHandle);
            }

            if (_vnfs.Count >= MaxVnfs)
            {
                return ControlResult.Fail(DpError.VnfInsert);
            }

            _vnis.TryGetValue(request.Vni, out var vni);
            if (vni is null && _vnis.Count >= MaxVnis)
            {
                return ControlResult.Fail(DpError.VniInit4);
            }

            if (vni is not null &&
                ((ipv4 != 0 && vni.Contains(new RouteKey(false, ipv4, 32))) || (ipv6 != UInt128.Zero && vni.Contains(new RouteKey(true, ipv6, 128)))))
            {
                return ControlResult.Fail(DpError.RouteExists);
            }

            if (vni is null)
            {
                vni = new VniModel(request.Vni);
                _vnis.Add(request.Vni, vni);
            }

            var underlay = preferred != UInt128.Zero ? preferred : GenerateUnderlay();
            var model = new InterfaceModel
            {
                Id = request.InterfaceId,
                Vni = request.Vni,
                Ipv4 = ipv4,
                Ipv6 = ipv6,
                Underlay = underlay,
                Port = port,
                DeviceName = request.DeviceName.Length == 0 ? _ports[port].Name : request.DeviceName,
                Hostname = request.Hostname ?? "",
                Pxe = request.Pxe,
                PxeNextServer4 = pxe4,
                PxeNextServerIsIpv6 = pxeIs6,
                Metering = request.Metering,
                NatEpoch = ++_natEpoch,
            };
            vni.RefCount++;
            AddHostRoutes(vni, model);
            _vnfs.Add(underlay, new VnfModel(VnfType.InterfaceIp, model, null));
            _interfaces.Add(model.Id, model);
            _portOwner[port] = model;
            Publish();
            return ControlResult.Success(new InterfaceCreated(
                AddressConversions.ToIPAddressV6(underlay), _ports[port].VfName, model.DeviceName));
        }
    }

    public ControlResult<InterfaceInfo> GetInterface(string interfaceId)
    {
        if (!_initialized)
        {
            return ControlResult.NotInitialized;
        }

        if (!IsValidId(interfaceId))
        {
            return ControlResult.Invalid("Invalid interface_id");
        }

        lock (_gate)
        {
            return _interfaces.TryGetValue(interfaceId, out var model)
                ? ControlResult.Success(ToInfo(model))
                : ControlResult.Fail(DpError.NotFound);
        }
    }

    public ControlResult<IReadOnlyList<InterfaceInfo>> ListInterfaces()
    {
        if (!_initialized)
        {
            return ControlResult.NotInitialized;
        }

        lock (_gate)
        {
            var list = new List<InterfaceInfo>(_interfaces.Count);
            foreach (var model in _interfaces.Values)
            {
                list.Add(ToInfo(model));
            }

            list.Sort((a, b) => string.CompareOrdinal(a.Id, b.Id));
            return ControlResult.Success<IReadOnlyList<InterfaceInfo>>(list);
        }
    }

    public ControlResult DeleteInterface(string interfaceId)
    {
        if (!_initialized)
        {
            return ControlResult.NotInitialized;
        }

        if (!IsValidId(interfaceId))
        {
            return ControlResult.Invalid("Invalid interface_id");
        }

        lock (_gate)
        {
            if (!_interfaces.Remove(interfaceId, out var model))
            {
                return ControlResult.Fail(DpError.NotFound);
            }

            // Deliberately unlike dpservice (which leaves them dangling, §1.7/2.16): the interface's VIP and alias
            // prefixes go with it, so no underlay address or route can outlive its port binding.
            var vni = _vnis[model.Vni];
            foreach (var prefix in model.Prefixes)
            {
                vni.RemoveRoute(prefix.Prefix);
                _vnfs.Remove(prefix.Underlay);
            }

            if (model.Vip != 0)
            {
                _vnfs.Remove(model.VipUnderlay);
                _dnat.Remove(DnatKey(model.Vni, model.Vip));
            }

            if (model.Ipv4 != 0)
            {
                vni.RemoveRoute(new RouteKey(false, model.Ipv4, 32));
            }

            if (model.Ipv6 != UInt128.Zero)
            {
                vni.RemoveRoute(new RouteKey(true, model.Ipv6, 128));
            }

            _vnfs.Remove(model.Underlay);
            _portOwner[model.Port] = null;
            if (--vni.RefCount == 0)
            {
                _vnis.Remove(model.Vni);
            }

            Publish();
            return ControlResult.Ok;
        }
    }

    public ControlResult<IPAddress> CreatePrefix(string interfaceId, IpPrefix prefix, IPAddress? preferredUnderlayRoute = null)
    {
        if (!_initialized)
        {
            return ControlResult.NotInitialized;
        }

        if (!IsValidId(interfaceId))
        {
            return ControlResult.Invalid("Invalid interface_id");
        }

        if (!prefix.IsValid)
        {
            return ControlResult.Invalid("Invalid prefix");
        }

        if (!TryValidatePreferred(preferredUnderlayRoute, out var preferred, out var invalid))
        {
            return invalid;
        }

        var key = RouteKey.From(prefix);
        lock (_gate)
        {
            if (!_interfaces.TryGetValue(interfaceId, out var model))
            {
                return ControlResult.Fail(DpError.NoVm);
            }

            var vni = _vnis[model.Vni];
            if (vni.Contains(key))
            {
                return ControlResult.Fail(DpError.RouteExists);
            }

            if (vni.Count(key.IsIpv6) >= MaxRoutesPerFamily)
            {
                return ControlResult.Fail(DpError.RouteInsert);
            }

            if ((preferred != UInt128.Zero && _vnfs.ContainsKey(preferred)) || _vnfs.Count >= MaxVnfs)
            {
                return ControlResult.Fail(DpError.VnfInsert);
            }

            var underlay = preferred != UInt128.Zero ? preferred : GenerateUnderlay();
            var alias = new PrefixModel(key, underlay);
            vni.AddRoute(key, new RouteModel(RouteModelKind.AliasPrefix, model.Port, 0, UInt128.Zero));
            _vnfs.Add(underlay, new VnfModel(VnfType.AliasPrefix, model, key));
            model.Prefixes.Add(alias);
            Publish();
            return ControlResult.Success(AddressConversions.ToIPAddressV6(underlay));
        }
    }

    public ControlResult<IReadOnlyList<PrefixInfo>> ListPrefixes(string interfaceId)
    {
        if (!_initialized)
        {
            return ControlResult.NotInitialized;
        }

        if (!IsValidId(interfaceId))
        {
            return ControlResult.Invalid("Invalid interface_id");
        }

        lock (_gate)
        {
            if (!_interfaces.TryGetValue(interfaceId, out var model))
            {
                return ControlResult.Fail(DpError.NoVm);
            }

            var list = new List<PrefixInfo>(model.Prefixes.Count);
            foreach (var prefix in model.Prefixes)
            {
                list.Add(new PrefixInfo(prefix.Prefix.ToPrefix(), AddressConversions.ToIPAddressV6(prefix.Underlay)));
            }

            return ControlResult.Success<IReadOnlyList<PrefixInfo>>(list);
        }
    }

    public ControlResult DeletePrefix(string interfaceId, IpPrefix prefix)
    {
        if (!_initialized)
        {
            return ControlResult.NotInitialized;
        }

        if (!IsValidId(interfaceId))
        {
            return ControlResult.Invalid("Invalid interface_id");
        }

        if (!prefix.IsValid)
        {
            return ControlResult.Invalid("Invalid prefix");
        }

        var key = RouteKey.From(prefix);
        lock (_gate)
        {
            if (!_interfaces.TryGetValue(interfaceId, out var model))
            {
                return ControlResult.Fail(DpError.NoVm);
            }

            var index = model.Prefixes.FindIndex(p => p.Prefix == key);
            if (index < 0)
            {
                return ControlResult.Fail(DpError.RouteNotFound);
            }

            var alias = model.Prefixes[index];
            model.Prefixes.RemoveAt(index);
            _vnis[model.Vni].RemoveRoute(key);
            _vnfs.Remove(alias.Underlay);
            Publish();
            return ControlResult.Ok;
        }
    }

    public ControlResult CreateRoute(uint vni, IpPrefix prefix, uint nextHopVni, IPAddress nextHopAddress)
    {
        if (!_initialized)
        {
            return ControlResult.NotInitialized;
        }

        if (vni > MaxVni || nextHopVni > MaxVni)
        {
            return ControlResult.Invalid("VNI exceeds 24-bit range");
        }

        if (!prefix.IsValid)
        {
            return ControlResult.Invalid("Invalid prefix");
        }

        ArgumentNullException.ThrowIfNull(nextHopAddress);
        if (nextHopAddress.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return ControlResult.Fail(DpError.BadIpVer);
        }

        var key = RouteKey.From(prefix);
        lock (_gate)
        {
            if (!_vnis.TryGetValue(vni, out var model))
            {
                return ControlResult.Fail(DpError.NoVni);
            }

            if (model.Contains(key))
            {
                return ControlResult.Fail(DpError.RouteExists);
            }

            if (model.Count(key.IsIpv6) >= MaxRoutesPerFamily)
            {
                return ControlResult.Fail(DpError.RouteInsert);
            }

            model.AddRoute(key, new RouteModel(RouteModelKind.External, 0, nextHopVni, AddressConversions.ToUInt128(nextHopAddress)));
            Publish(routesOnly: true);
            return ControlResult.Ok;
        }
    }

    public ControlResult DeleteRoute(uint vni, IpPrefix prefix)
    {
        if (!_initialized)
        {
            return ControlResult.NotInitialized;
        }

        if (vni > MaxVni)
        {
            return ControlResult.Invalid("VNI exceeds 24-bit range");
        }

        if (!prefix.IsValid)
        {
            return ControlResult.Invalid("Invalid prefix");
        }

        var key = RouteKey.From(prefix);
        lock (_gate)
        {
            if (!_vnis.TryGetValue(vni, out var model))
            {
                return ControlResult.Fail(DpError.NoVni);
            }

            if (!model.TryGet(key, out var route))
            {
                return ControlResult.Fail(DpError.RouteNotFound);
            }

            if (route.Kind != RouteModelKind.External)
            {
                return ControlResult.Fail(DpError.RouteBadPort);
            }

            model.RemoveRoute(key);
            Publish(routesOnly: true);
            return ControlResult.Ok;
        }
    }

    public ControlResult<IReadOnlyList<RouteInfo>> ListRoutes(uint vni)
    {
        if (!_initialized)
        {
            return ControlResult.NotInitialized;
        }

        lock (_gate)
        {
            var list = new List<RouteInfo>();
            var vnis = new List<uint>(_vnis.Keys);
            vnis.Sort();
            foreach (var number in vnis)
            {
                if (vni == 0 || vni == number)
                {
                    _vnis[number].AppendExternalRoutes(list);
                }
            }

            return ControlResult.Success<IReadOnlyList<RouteInfo>>(list);
        }
    }

    public ControlResult<bool> CheckVniInUse(uint vni, VniType type)
    {
        if (!_initialized)
        {
            return ControlResult.NotInitialized;
        }

        if (vni > MaxVni)
        {
            return ControlResult.Invalid("VNI exceeds 24-bit range");
        }

        if (type is not (VniType.Ipv4 or VniType.Ipv6))
        {
            return ControlResult.Fail(DpError.WrongType);
        }

        lock (_gate)
        {
            return ControlResult.Success(_vnis.ContainsKey(vni));
        }
    }

    public ControlResult ResetVni(uint vni, VniType type)
    {
        if (!_initialized)
        {
            return ControlResult.NotInitialized;
        }

        if (vni > MaxVni)
        {
            return ControlResult.Invalid("VNI exceeds 24-bit range");
        }

        if (type != VniType.Both)
        {
            return ControlResult.Fail(DpError.WrongType);
        }

        lock (_gate)
        {
            if (_vnis.TryGetValue(vni, out var model))
            {
                model.RemoveExternalRoutes();
                Publish(routesOnly: true);
            }

            return ControlResult.Ok;
        }
    }

    public ControlResult<IPAddress> CreateVip(string interfaceId, IPAddress vip, IPAddress? preferredUnderlayRoute = null)
    {
        if (!_initialized)
        {
            return ControlResult.NotInitialized;
        }

        if (!IsValidId(interfaceId))
        {
            return ControlResult.Invalid("Invalid interface_id");
        }

        ArgumentNullException.ThrowIfNull(vip);
        if (!TryValidatePreferred(preferredUnderlayRoute, out var preferred, out var invalid))
        {
            return invalid;
        }

        lock (_gate)
        {
            if (!_interfaces.TryGetValue(interfaceId, out var model))
            {
                return ControlResult.Fail(DpError.NoVm);
            }

            if (vip.AddressFamily != AddressFamily.InterNetwork)
            {
                return ControlResult.Fail(DpError.BadIpVer);
            }

            if (model.Vip != 0)
            {
                return ControlResult.Fail(DpError.SnatExists);
            }

            var address = AddressConversions.ToUInt32(vip);
            if (_dnat.ContainsKey(DnatKey(model.Vni, address)))
            {
                return ControlResult.Fail(DpError.DnatExists);
            }

            if ((preferred != UInt128.Zero && _vnfs.ContainsKey(preferred)) || _vnfs.Count >= MaxVnfs)
            {
                return ControlResult.Fail(DpError.VnfInsert);
            }

            var underlay = preferred != UInt128.Zero ? preferred : GenerateUnderlay();
            model.Vip = address;
            model.VipUnderlay = underlay;
            model.NatEpoch = ++_natEpoch;
            _dnat.Add(DnatKey(model.Vni, address), model.Id);
            _vnfs.Add(underlay, new VnfModel(VnfType.Vip, model, null));
            Publish();
            return ControlResult.Success(AddressConversions.ToIPAddressV6(underlay));
        }
    }

    public ControlResult<VipInfo> GetVip(string interfaceId)
    {
        if (!_initialized)
        {
            return ControlResult.NotInitialized;
        }

        if (!IsValidId(interfaceId))
        {
            return ControlResult.Invalid("Invalid interface_id");
        }

        lock (_gate)
        {
            if (!_interfaces.TryGetValue(interfaceId, out var model))
            {
                return ControlResult.Fail(DpError.NoVm);
            }

            return model.Vip == 0
                ? ControlResult.Fail(DpError.SnatNoData)
                : ControlResult.Success(new VipInfo(AddressConversions.ToIPAddress(model.Vip), AddressConversions.ToIPAddressV6(model.VipUnderlay)));
        }
    }

    public ControlResult DeleteVip(string interfaceId)
    {
        if (!_initialized)
        {
            return ControlResult.NotInitialized;
        }

        if (!IsValidId(interfaceId))
        {
            return ControlResult.Invalid("Invalid interface_id");
        }

        lock (_gate)
        {
            if (!_interfaces.TryGetValue(interfaceId, out var model))
            {
                return ControlResult.Fail(DpError.NoVm);
            }

            if (model.Vip == 0)
            {
                return ControlResult.Fail(DpError.SnatNoData);
            }

            _dnat.Remove(DnatKey(model.Vni, model.Vip));
            _vnfs.Remove(model.VipUnderlay);
            model.Vip = 0;
            model.VipUnderlay = UInt128.Zero;
            model.NatEpoch = ++_natEpoch;
            Publish();
            return ControlResult.Ok;
        }
    }

    internal static bool IsValidInterfaceId(string? id)
    {
        if (!IsValidId(id))
        {
            return false;
        }

        foreach (var c in id!)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsValidId(string? id) => id is { Length: > 0 and <= MaxIdLength };

    private static ulong DnatKey(uint vni, uint address) => ((ulong)vni << 32) | address;

    private bool TryValidatePreferred(IPAddress? address, out UInt128 preferred, out ControlResult invalid)
    {
        preferred = UInt128.Zero;
        invalid = default;
        if (address is null || address.Equals(IPAddress.IPv6Any))
        {
            return true;
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            invalid = ControlResult.Invalid("Invalid preferred_underlay_route");
            return false;
        }

        var value = AddressConversions.ToUInt128(address);
        // Same /64 as the host, and the "externally generated" flag 0x80 in byte 10 (bits 47..40 of the low half).
        if ((value >> 64) != (_hostPrefix >> 64) || ((ulong)(value >> 40) & 0x80) == 0)
        {
            invalid = ControlResult.Invalid("Invalid preferred_underlay_route");
            return false;
        }

        preferred = value;
        return true;
    }

    /// <summary>dpservice's scheme: host /64, byte 8 = 0xd0, byte 9 = 0 (subtype), byte 10 = 0 (flags), byte 11 random, 32-bit counter.</summary>
    private UInt128 GenerateUnderlay()
    {
        while (true)
        {
            var candidate = _hostPrefix | ((UInt128)0xd0 << 56) | ((UInt128)_underlayRandom << 32) | unchecked(_underlayCounter++);
            if (!_vnfs.ContainsKey(candidate))
            {
                return candidate;
            }
        }
    }

    private int FindPort(string deviceName)
    {
        for (var i = 1; i < _ports.Length; i++)
        {
            if (string.Equals(_ports[i].Name, deviceName, StringComparison.Ordinal) ||
                string.Equals(_ports[i].VfName, deviceName, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private int FirstFreeVmPort()
    {
        for (var i = 1; i < _ports.Length; i++)
        {
            if (_portOwner[i] is null)
            {
                return i;
            }
        }

        return -1;
    }

    private static void AddHostRoutes(VniModel vni, InterfaceModel model)
    {
        if (model.Ipv4 != 0)
        {
            vni.AddRoute(new RouteKey(false, model.Ipv4, 32), new RouteModel(RouteModelKind.Host, model.Port, 0, UInt128.Zero));
        }

        if (model.Ipv6 != UInt128.Zero)
        {
            vni.AddRoute(new RouteKey(true, model.Ipv6, 128), new RouteModel(RouteModelKind.Host, model.Port, 0, UInt128.Zero));
        }
    }

    private InterfaceInfo ToInfo(InterfaceModel model) => new()
    {
        Id = model.Id,
        Vni = model.Vni,
        PrimaryIpv4 = AddressConversions.ToIPAddress(model.Ipv4),
        PrimaryIpv6 = AddressConversions.ToIPAddressV6(model.Ipv6),
        UnderlayRoute = AddressConversions.ToIPAddressV6(model.Underlay),
        PciName = model.DeviceName,
        VfName = _ports[model.Port].VfName,
        Hostname = model.Hostname,
        Pxe = model.Pxe,
        Metering = model.Metering,
    };

    /// <summary>
    /// Builds the immutable packet-path view of the model and hands it to the engine. Caller holds the lock.
    /// <paramref name="routesOnly"/>: only routes of existing VNIs changed since the last snapshot, so its interface table
    /// and VNF map are reused (they depend on the interfaces, the VNFs and the VNI order only).
    /// </summary>
    private void Publish(bool routesOnly = false)
    {
        var vnis = new VniTables[_vnis.Count];
        var vniIndex = new KeyValuePair<ulong, int>[_vnis.Count];
        var indexOf = new Dictionary<uint, int>(_vnis.Count);
        var n = 0;
        foreach (var (number, model) in _vnis)
        {
            vnis[n] = model.Build();
            vniIndex[n] = new(number, n);
            indexOf[number] = n;
            n++;
        }

        if (!routesOnly || _publishedInterfaces is null || _publishedVnfs is null)
        {
            _publishedInterfaces = BuildInterfaceTable(indexOf);
            _publishedVnfs = BuildVnfMap();
        }

        _publish(new DataPlaneSnapshot
        {
            Version = ++_version,
            InterfaceByPort = _publishedInterfaces,
            Vnis = vnis,
            VniIndex = new UInt64Map<int>(vniIndex),
            Vnfs = _publishedVnfs,
        });
    }

    private InterfaceEntry?[] BuildInterfaceTable(Dictionary<uint, int> indexOf)
    {
        var byPort = new InterfaceEntry?[_ports.Length];
        foreach (var model in _interfaces.Values)
        {
            // Entries are immutable: reuse the last one unless what can change since (VIP, NAT epoch, VNI order) did.
            var vniIndex = indexOf[model.Vni];
            if (model.Entry is { } entry && entry.VniIndex == vniIndex && entry.Vip == model.Vip && entry.VipUnderlay == model.VipUnderlay
                && entry.NatEpoch == model.NatEpoch)
            {
                byPort[model.Port] = entry;
                continue;
            }

            byPort[model.Port] = model.Entry = new InterfaceEntry
            {
                Vni = model.Vni,
                VniIndex = vniIndex,
                Ipv4 = model.Ipv4,
                Ipv6 = model.Ipv6,
                Underlay = model.Underlay,
                Vip = model.Vip,
                VipUnderlay = model.VipUnderlay,
                NatEpoch = model.NatEpoch,
                Hostname = Encoding.ASCII.GetBytes(model.Hostname),
                HasPxe = model.Pxe is not null,
                PxeNextServerText = Encoding.ASCII.GetBytes(model.Pxe?.NextServer ?? ""),
                PxeNextServer4 = model.PxeNextServer4,
                PxeNextServerIsIpv6 = model.PxeNextServerIsIpv6,
                PxeBootFile = Encoding.ASCII.GetBytes(model.Pxe?.BootFileName ?? ""),
            };
        }

        return byPort;
    }

    private UInt128Map<VnfEntry> BuildVnfMap()
    {
        var vnfs = new KeyValuePair<UInt128, VnfEntry>[_vnfs.Count];
        var n = 0;
        foreach (var (address, vnf) in _vnfs)
        {
            var prefix = vnf.Prefix ?? default;
            vnfs[n++] = new(address, new VnfEntry(vnf.Type, vnf.Owner.Vni, (ushort)vnf.Owner.Port, prefix.IsIpv6, (byte)prefix.Length, prefix.Address));
        }

        return new UInt128Map<VnfEntry>(vnfs);
    }

    private sealed class InterfaceModel
    {
        public required string Id { get; init; }

        public required uint Vni { get; init; }

        public required uint Ipv4 { get; init; }

        public required UInt128 Ipv6 { get; init; }

        public required UInt128 Underlay { get; init; }

        public required int Port { get; init; }

        public required string DeviceName { get; init; }

        public required string Hostname { get; init; }

        public PxeConfig? Pxe { get; init; }

        public uint PxeNextServer4 { get; init; }

        public bool PxeNextServerIsIpv6 { get; init; }

        public MeteringParams Metering { get; init; }

        public uint Vip { get; set; }

        public UInt128 VipUnderlay { get; set; }

        public long NatEpoch { get; set; }

        public List<PrefixModel> Prefixes { get; } = [];

        /// <summary>The packet-path entry last published for this interface.</summary>
        public InterfaceEntry? Entry { get; set; }
    }

    private sealed record PrefixModel(RouteKey Prefix, UInt128 Underlay);

    private sealed record VnfModel(VnfType Type, InterfaceModel Owner, RouteKey? Prefix);

    private enum RouteModelKind
    {
        Host,
        AliasPrefix,
        External,
    }

    private readonly record struct RouteModel(RouteModelKind Kind, int Port, uint NextHopVni, UInt128 NextHop);

    /// <summary>A normalized (masked) prefix in numeric form; IPv4 addresses live in the low 32 bits.</summary>
    private readonly record struct RouteKey(bool IsIpv6, UInt128 Address, int Length)
    {
        public static RouteKey From(IpPrefix prefix) => prefix.IsIpv4
            ? new RouteKey(false, AddressConversions.Mask4(AddressConversions.ToUInt32(prefix.Address), prefix.Length), prefix.Length)
            : new RouteKey(true, AddressConversions.Mask6(AddressConversions.ToUInt128(prefix.Address), prefix.Length), prefix.Length);

        public IpPrefix ToPrefix() => IsIpv6
            ? new IpPrefix(AddressConversions.ToIPAddressV6(Address), Length)
            : new IpPrefix(AddressConversions.ToIPAddress((uint)Address), Length);
    }

    private sealed class VniModel(uint vni)
    {
        // Routes change only through AddRoute / RemoveRoute / RemoveExternalRoutes, which drop the built tables.
        private readonly Dictionary<(uint Address, int Length), RouteModel> _routes4 = [];
        private readonly Dictionary<(UInt128 Address, int Length), RouteModel> _routes6 = [];

        // The last built tables; immutable, so snapshots share them until this VNI's routes change. Publish() then
        // rebuilds only the changed VNI instead of every VNI's LPM on every control call.
        private VniTables? _built;

        // The LPMs of the last build and the route changes since their base (withdrawals as RouteKind.None): a build
        // lays the changes over the base while they are few, so one route added to a VNI of n routes costs O(√n) rather
        // than an O(n) rebuild (and its allocation) in every PacketCore that hears the announcement.
        private Lpm4? _lpm4;
        private Lpm6? _lpm6;
        private readonly Dictionary<(uint Address, int Length), RouteTarget> _changes4 = [];
        private readonly Dictionary<(UInt128 Address, int Length), RouteTarget> _changes6 = [];

        public uint Vni { get; } = vni;

        public int RefCount { get; set; }

        public int Count(bool ipv6) => ipv6 ? _routes6.Count : _routes4.Count;

        public bool Contains(RouteKey key) => TryGet(key, out _);

        public bool TryGet(RouteKey key, out RouteModel route) => key.IsIpv6
            ? _routes6.TryGetValue((key.Address, key.Length), out route)
            : _routes4.TryGetValue(((uint)key.Address, key.Length), out route);

        public void AddRoute(RouteKey key, RouteModel route)
        {
            _built = null;
            if (key.IsIpv6)
            {
                _routes6[(key.Address, key.Length)] = route;
                _changes6[(key.Address, key.Length)] = ToTarget(route, key.Length);
            }
            else
            {
                _routes4[((uint)key.Address, key.Length)] = route;
                _changes4[((uint)key.Address, key.Length)] = ToTarget(route, key.Length);
            }
        }

        public void RemoveRoute(RouteKey key)
        {
            _built = null;
            if (key.IsIpv6)
            {
                _routes6.Remove((key.Address, key.Length));
                _changes6[(key.Address, key.Length)] = default;
            }
            else
            {
                _routes4.Remove(((uint)key.Address, key.Length));
                _changes4[((uint)key.Address, key.Length)] = default;
            }
        }

        /// <summary>Initialize/ResetVni: keep host and alias-prefix routes, drop configured (external) ones.</summary>
        public void RemoveExternalRoutes()
        {
            _built = null;
            _lpm4 = null; // many changes at once: the next build starts from a new base
            _lpm6 = null;
            foreach (var (key, route) in _routes4)
            {
                if (route.Kind == RouteModelKind.External)
                {
                    _routes4.Remove(key);
                }
            }

            foreach (var (key, route) in _routes6)
            {
                if (route.Kind == RouteModelKind.External)
                {
                    _routes6.Remove(key);
                }
            }
        }

        public void AppendExternalRoutes(List<RouteInfo> list)
        {
            var v4 = new List<(uint Address, int Length, RouteModel Route)>();
            foreach (var ((address, length), route) in _routes4)
            {
                if (route.Kind == RouteModelKind.External)
                {
                    v4.Add((address, length, route));
                }
            }

            v4.Sort((a, b) => a.Address != b.Address ? a.Address.CompareTo(b.Address) : a.Length.CompareTo(b.Length));
            foreach (var (address, length, route) in v4)
            {
                list.Add(new RouteInfo(Vni, new IpPrefix(AddressConversions.ToIPAddress(address), length), route.NextHopVni, AddressConversions.ToIPAddressV6(route.NextHop)));
            }

            var v6 = new List<(UInt128 Address, int Length, RouteModel Route)>();
            foreach (var ((address, length), route) in _routes6)
            {
                if (route.Kind == RouteModelKind.External)
                {
                    v6.Add((address, length, route));
                }
            }

            v6.Sort((a, b) => a.Address != b.Address ? a.Address.CompareTo(b.Address) : a.Length.CompareTo(b.Length));
            foreach (var (address, length, route) in v6)
            {
                list.Add(new RouteInfo(Vni, new IpPrefix(AddressConversions.ToIPAddressV6(address), length), route.NextHopVni, AddressConversions.ToIPAddressV6(route.NextHop)));
            }
        }

        public VniTables Build() => _built ??= BuildTables();

        private VniTables BuildTables()
        {
            if (_lpm4 is null || _changes4.Count > Lpm4.OverlayLimit(_routes4.Count))
            {
                var v4 = new (uint, int, RouteTarget)[_routes4.Count];
                var n = 0;
                foreach (var ((address, length), route) in _routes4)
                {
                    v4[n++] = (address, length, ToTarget(route, length));
                }

                _lpm4 = new Lpm4(v4);
                _changes4.Clear();
            }
            else
            {
                _lpm4 = _lpm4.WithOverlay(_changes4);
            }

            if (_lpm6 is null || _changes6.Count > Lpm4.OverlayLimit(_routes6.Count))
            {
                var v6 = new (UInt128, int, RouteTarget)[_routes6.Count];
                var n = 0;
                foreach (var ((address, length), route) in _routes6)
                {
                    v6[n++] = (address, length, ToTarget(route, length));
                }

                _lpm6 = new Lpm6(v6);
                _changes6.Clear();
            }
            else
            {
                _lpm6 = _lpm6.WithOverlay(_changes6);
            }

            return new VniTables(Vni, _lpm4, _lpm6);
        }

        private static RouteTarget ToTarget(RouteModel route, int length) => route.Kind == RouteModelKind.External
            ? new RouteTarget(RouteKind.External, (byte)length, 0, route.NextHopVni, route.NextHop)
            : new RouteTarget(RouteKind.Local, (byte)length, (ushort)route.Port, 0, UInt128.Zero);
    }
}
