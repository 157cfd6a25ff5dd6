using System.Net;
using System.Net.Sockets;
using IronOrleans.Grains;
using IronOrleans.Grains.Model;
using IronOrleans.Grains.Placement;
using IronOrleans.NodeAgent.DataPlane;
using IronOrleans.PacketCore.Control;
using Microsoft.Extensions.Options;
using Orleans.GrainDirectory;
using Orleans.Streams;
using Route = IronOrleans.Grains.Model.Route;

namespace IronOrleans.NodeAgent.Reconciliation;

/// <summary>
/// metalnet's role for one node: the single writer to the node's PacketCore. Desired state is level-based
/// (snapshot from the node grain, then sequenced stream events; a gap re-snapshots); every step is an
/// "…IfNotExists"/"…IfExists" step, so re-running a reconcile is harmless. Order follows metalnet:
/// interface, then VIP, then alias prefixes, then announce (announce after create); teardown withdraws
/// first and removes data-plane objects after.
/// </summary>
[NodeLocalPlacement]
[GrainDirectory(IronOrleansNames.ConsistentDirectory)] // a re-activation re-snapshots the node and holds its route changes
[CollectionAgeLimit(AlwaysActive = true)]
internal sealed partial class NodeAgentGrain(
    NodeDataPlanes planes,
    IOptions<NodeAgentOptions> options,
    NodeAgentInstruments instruments,
    IClusterMembershipService membership,
    ILogger<NodeAgentGrain> logger) : Grain, INodeAgentGrain
{
    /// <summary>
    /// How long routes missing from a restarted route table's first snapshot stay installed (see
    /// <see cref="VniRib.KeepUnselectedUntil"/>) unless its End-of-RIB comes first: longer than the table's re-sync round to every
    /// announcer takes.
    /// </summary>
    internal static readonly TimeSpan ResyncGrace = TimeSpan.FromSeconds(3);

    /// <summary>
    /// While routes are kept under the stale timer, how often they are checked again: a kept route whose announcers all
    /// died meanwhile is removed at the next check instead of at the end of the grace.
    /// </summary>
    internal static readonly TimeSpan StaleRecheck = TimeSpan.FromMilliseconds(200);

    private readonly Dictionary<string, NetworkInterfaceInfo> _desired = new(StringComparer.Ordinal);
    private readonly Dictionary<string, LocalNic> _local = new(StringComparer.Ordinal);

    /// <summary>How many of <see cref="_local"/> are in each VNI: every route delivery asks, and scanning 500 NICs each time added up.</summary>
    private readonly Dictionary<uint, int> _localPerVni = [];
    private readonly Dictionary<uint, VniRib> _ribs = [];
    private readonly HashSet<string> _failing = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reporting = new(StringComparer.Ordinal);
    private readonly HashSet<uint> _vnisToResync = [];
    private readonly Dictionary<Guid, string> _deviceClaims = [];
    private string? _dpUuid;
    private long _version = -1;
    private bool _started;
    private long _lastRouteAudit;
    private bool _resnapshot;
    private IGrainTimer? _staleRecheck;

    // Grain references this agent calls on every NIC, route change or tick, resolved once: Orleans' GetGrain and AsReference
    // read the interface's attributes by reflection on every call.
    private readonly Dictionary<uint, IRouteTableGrain> _tables = [];
    private INodeGrain? _nodeGrain;
    private INodeEventObserver? _self;
    private IControlPlaneGrain? _controlPlane;

    private string Node => this.GetPrimaryKeyString();

    private INodeGrain NodeGrain => _nodeGrain ??= GrainFactory.GetGrain<INodeGrain>(Node);

    private IControlPlaneGrain ControlPlane => _controlPlane ??= GrainFactory.GetGrain<IControlPlaneGrain>(0);

    private IRouteTableGrain Table(uint vni)
    {
        if (!_tables.TryGetValue(vni, out var table))
        {
            _tables[vni] = table = GrainFactory.GetGrain<IRouteTableGrain>(vni);
        }

        return table;
    }

    private uint PublicVni => options.Value.PublicVni;

    /// <summary>Looked up on every use, so a replaced data plane (a restarted PacketCore in tests) is picked up.</summary>
    private IDataPlane Dp => planes.TryGet(Node, out var dp) ? dp : throw new InvalidOperationException($"This NodeAgent does not serve node '{Node}'.");

    public async Task StartAsync()
    {
        if (_started)
        {
            return;
        }

        _ = Dp; // fails fast when this process does not serve the node
        var stream = this.GetStreamProvider(IronOrleansNames.StreamProvider).GetStream<NodeEvent>(NodeStreams.For(Node));
        foreach (var handle in await stream.GetAllSubscriptionHandles())
        {
            await handle.UnsubscribeAsync(); // a previous activation's subscription: start clean
        }

        await stream.SubscribeAsync((ev, _) => OnNodeEventAsync(ev));

        // The node grain pushes events to us as soon as they are stored; the stream above is the reliable path behind it.
        // Both are registered before the snapshot, so nothing stored after the snapshot is missed.
        await WatchNodeAsync();
        _started = true;
        await EnsureDataPlaneAsync();
        await ResnapshotAsync(sweep: true);
        await WithdrawStaleAnnouncementsAsync();
        LogStarted(logger, Node, Dp.Describe, _local.Count);
    }

    public async Task TickAsync()
    {
        if (!_started)
        {
            // A new activation (the previous one was lost with a grain-directory partition when another silo died)
            // knows nothing: start it like the host does, so it re-snapshots and adopts what PacketCore holds.
            await StartAsync();
            return;
        }

        await EnsureDataPlaneAsync();
        await RefreshWatchAsync(); // re-registers when the node grain dropped us (a failed push, or it was re-activated)
        if (_resnapshot)
        {
            await ResnapshotAsync(sweep: false);
        }

        foreach (var vni in _vnisToResync.ToArray())
        {
            _vnisToResync.Remove(vni);
            await ResyncVniAsync(vni);
        }

        foreach (var key in _failing.ToArray())
        {
            await ReconcileNicAsync(key);
        }

        // The full audit walks every route of the node; between audits only tables whose programming failed are redone.
        var audit = Environment.TickCount64 - _lastRouteAudit >= (long)options.Value.RouteAuditInterval.TotalMilliseconds;
        if (audit)
        {
            _lastRouteAudit = Environment.TickCount64;
        }

        foreach (var rib in _ribs.Values.ToArray())
        {
            if (audit)
            {
                await VerifyInstalledRoutesAsync(rib);
                await ProgramRoutesAsync(rib);
            }
            else if (rib.NeedsProgramming)
            {
                await ProgramRoutesAsync(rib);
            }
        }
    }

    public Task<NodeAgentState> GetStateAsync() => Task.FromResult(new NodeAgentState
    {
        Node = Node,
        DesiredVersion = _version,
        DataPlaneUuid = _dpUuid,
        Interfaces = _local.ToDictionary(kv => kv.Key, kv => kv.Value.VfName),
        SubscribedVnis = [.. _ribs.Keys.Order()],
        InstalledRoutes = [.. _ribs.Values.SelectMany(r => r.Installed.Select(i => $"{r.Vni} {i.Key} -> {i.Value.Underlay}")).Order(StringComparer.Ordinal)],
        Failing = [.. _failing.Order(StringComparer.Ordinal)],
    });

    public async Task OnRouteDeltasAsync(uint vni, IReadOnlyList<RouteDelta> deltas)
    {
        if (!_ribs.TryGetValue(vni, out var rib))
        {
            return; // not (or no longer) subscribed
        }

        LogRouteDeltas(logger, Node, deltas.Count, vni, deltas.Count == 0 ? rib.Version : deltas[^1].Version);
        var touched = new HashSet<string>(StringComparer.Ordinal);
        var endOfRib = false;
        foreach (var delta in deltas)
        {
            if (!rib.TryApply(delta))
            {
                LogRouteGap(logger, Node, vni, rib.Version, delta.Version);
                await ResyncVniAsync(vni);
                return;
            }

            if (delta.Change == RouteChange.Complete)
            {
                endOfRib = true;
            }
            else
            {
                touched.Add(delta.Entry.Route.Prefix);
            }
        }

        // A delta changes only its own prefixes; End-of-RIB may end the stale timer of any of them.
        await (endOfRib ? ProgramRoutesAsync(rib) : ProgramPrefixesAsync(rib, touched));
    }

    public async Task OnResyncRequiredAsync(uint vni)
    {
        if (!_started)
        {
            // A new activation (lost with a directory partition, like the table that asks): start now rather than at the
            // next tick, so the table's End-of-RIB does not wait up to a tick for this node's re-sync.
            await StartAsync();
        }

        // The table restarted or dropped us: re-announce what we own there, and re-snapshot if we listen.
        await AnnounceAllInVniAsync(vni);
        if (_ribs.ContainsKey(vni))
        {
            await ResyncVniAsync(vni);
        }
    }

    public async Task OnNodeEventsAsync(IReadOnlyList<NodeEvent> events)
    {
        foreach (var ev in events)
        {
            await OnNodeEventAsync(ev);
        }
    }

    private async Task RefreshWatchAsync()
    {
        try
        {
            await WatchNodeAsync();
        }
        catch (Exception exception) when (exception is OrleansException or TimeoutException)
        {
            LogWatchFailed(logger, exception, Node); // must not stop the rest of the tick (routes, failing NICs)
        }
    }

    private Task<long> WatchNodeAsync() => NodeGrain.WatchAsync(_self ??= this.AsReference<INodeEventObserver>());

    /// <summary>Applies one event, whether pushed by the node grain or delivered by the stream; the second copy is ignored.</summary>
    private async Task OnNodeEventAsync(NodeEvent ev)
    {
        if (!_started || ev.Version <= _version)
        {
            return;
        }

        if (ev.Version != _version + 1)
        {
            LogNodeGap(logger, Node, _version, ev.Version);
            await ResnapshotAsync(sweep: false);
            return;
        }

        _version = ev.Version;
        var key = ev.Interface.Name.Key;
        if (ev.Type == NodeEventType.Removed)
        {
            if (_desired.TryGetValue(key, out var known) && known.Uid == ev.Interface.Uid)
            {
                _desired.Remove(key);
            }
        }
        else
        {
            _desired[key] = ev.Interface;
        }

        await ReconcileNicAsync(key);
    }

    private async Task ResnapshotAsync(bool sweep)
    {
        _resnapshot = false;
        var snapshot = await NodeGrain.GetSnapshotAsync();
        _version = snapshot.Version;
        _desired.Clear();
        foreach (var nic in snapshot.Interfaces)
        {
            _desired[nic.Name.Key] = nic;
        }

        foreach (var key in _desired.Keys.Union(_local.Keys).ToArray())
        {
            await ReconcileNicAsync(key);
        }

        if (sweep)
        {
            await SweepDataPlaneAsync();
        }
    }

    /// <summary>Checks PacketCore's epoch; a new uuid means it restarted and lost everything: re-create and re-announce.</summary>
    private async Task EnsureDataPlaneAsync()
    {
        var check = await Dp.CheckInitializedAsync();
        var uuid = check.IsOk ? check.Value : null;
        if (uuid is null)
        {
            var init = await Dp.InitializeAsync();
            if (!init.IsOk)
            {
                throw new InvalidOperationException($"{Dp.Describe} refused Initialize: {init}");
            }

            uuid = init.Value;
        }

        if (_dpUuid is not null && !string.Equals(_dpUuid, uuid, StringComparison.Ordinal))
        {
            LogDataPlaneRestarted(logger, Node, _dpUuid, uuid!);
            _dpUuid = uuid;

            // Underlay addresses are gone with the old epoch: withdraw them, forget what was programmed, rebuild.
            foreach (var local in _local.Values.ToArray())
            {
                await WithdrawAsync(local.Announced);
            }

            _local.Clear();
            _localPerVni.Clear();
            foreach (var rib in _ribs.Values)
            {
                rib.Installed.Clear();
            }

            foreach (var key in _desired.Keys.ToArray())
            {
                await ReconcileNicAsync(key);
            }

            foreach (var rib in _ribs.Values.ToArray())
            {
                await ProgramRoutesAsync(rib);
            }

            return;
        }

        _dpUuid = uuid;
    }

    private async Task ReconcileNicAsync(string key)
    {
        _desired.TryGetValue(key, out var desired);
        _local.TryGetValue(key, out var local);
        try
        {
            if (local is not null && (desired is null || desired.Uid != local.Uid))
            {
                await TeardownAsync(local);
                local = null;
            }

            if (desired is not null)
            {
                var started = instruments.Now();
                local = await EnsureNicAsync(desired, local);
                StartReportReady(desired, local);
                instruments.OnReconciled(started);
            }

            if (_failing.Remove(key))
            {
                LogRecovered(logger, Node, key);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            instruments.OnReconcileFailed();
            if (_failing.Add(key))
            {
                LogReconcileFailed(logger, ex, Node, key);
                if (desired is not null)
                {
                    await ReportErrorAsync(desired, ex.Message);
                }
            }
        }
    }

    /// <summary>Interface, VIP, prefixes, then announcements and the VNI subscription (metalnet's order).</summary>
    private async Task<LocalNic> EnsureNicAsync(NetworkInterfaceInfo desired, LocalNic? local)
    {
        var id = desired.Uid.ToString();
        if (local is null)
        {
            local = await EnsureInterfaceIfNotExistsAsync(desired, id);
            AddLocal(local);
        }

        await EnsureVipAsync(desired, local, id);
        await EnsurePrefixesAsync(desired, local, id);
        await EnsureSubscribedAsync(local.Vni);
        await AnnounceDiffAsync(local, DesiredAnnouncements(desired, local));
        return local;
    }

    private async Task<LocalNic> EnsureInterfaceIfNotExistsAsync(NetworkInterfaceInfo desired, string id)
    {
        var existing = await Dp.GetInterfaceAsync(id);
        if (existing.IsOk && existing.Value is { } found)
        {
            if (found.Vni != desired.Vni.Value)
            {
                throw new InvalidOperationException($"interface {id} exists in VNI {found.Vni}, not {desired.Vni.Value}");
            }

            return new LocalNic(desired.Name.Key, desired.Uid, found.Vni, found.UnderlayRoute, found.VfName, found.PciName);
        }

        Expect(existing.Result, DpError.NotFound, "GetInterface");
        IPAddress? v4 = null;
        IPAddress? v6 = null;
        foreach (var ip in desired.Spec.Ips)
        {
            var address = IPAddress.Parse(ip);
            if (address.AddressFamily == AddressFamily.InterNetwork)
            {
                v4 = address;
            }
            else
            {
                v6 = address;
            }
        }

        var created = await Dp.CreateInterfaceAsync(new CreateInterfaceRequest
        {
            InterfaceId = id,
            Vni = desired.Vni.Value,
            Ipv4 = v4,
            Ipv6 = v6,
            DeviceName = _deviceClaims.GetValueOrDefault(desired.Uid, ""),
            Hostname = desired.Spec.Hostname,
        });
        if (!created.IsOk || created.Value is null)
        {
            throw new InvalidOperationException($"CreateInterface {id} failed: {created}");
        }

        _deviceClaims[desired.Uid] = created.Value.PciName;
        LogInterfaceCreated(logger, Node, id, desired.Vni.Value, created.Value.VfName, created.Value.UnderlayRoute.ToString());
        return new LocalNic(desired.Name.Key, desired.Uid, desired.Vni.Value, created.Value.UnderlayRoute, created.Value.VfName, created.Value.PciName);
    }

    private async Task EnsureVipAsync(NetworkInterfaceInfo desired, LocalNic local, string id)
    {
        var wanted = desired.Status.VirtualIpAddress is { } text && IPAddress.TryParse(text, out var vip)
            && vip.AddressFamily == AddressFamily.InterNetwork ? vip : null; // dpservice VIPs are IPv4 only
        if (local.Vip is null && local.VipUnderlay is null)
        {
            var current = await Dp.GetVipAsync(id);
            if (current.IsOk && current.Value is { } adopted)
            {
                local.Vip = adopted.VipAddress;
                local.VipUnderlay = adopted.UnderlayRoute;
            }
        }

        if (Equals(local.Vip, wanted))
        {
            return;
        }

        if (local.Vip is not null)
        {
            await WithdrawAsync([.. local.Announced.Where(r => r.Vni == PublicVni && r.Prefix == HostPrefix(local.Vip))]);
            Expect(await Dp.DeleteVipAsync(id), DpError.NotFound, "DeleteVip");
            local.Vip = null;
            local.VipUnderlay = null;
        }

        if (wanted is not null)
        {
            var created = await Dp.CreateVipAsync(id, wanted);
            if (!created.IsOk || created.Value is null)
            {
                throw new InvalidOperationException($"CreateVip {wanted} on {id} failed: {created}");
            }

            local.Vip = wanted;
            local.VipUnderlay = created.Value;
        }
    }

    private async Task EnsurePrefixesAsync(NetworkInterfaceInfo desired, LocalNic local, string id)
    {
        var listed = await Dp.ListPrefixesAsync(id);
        if (!listed.IsOk || listed.Value is null)
        {
            throw new InvalidOperationException($"ListPrefixes {id} failed: {listed}");
        }

        var present = listed.Value.ToDictionary(p => p.Prefix.Normalize().ToString(), p => p, StringComparer.Ordinal);
        var wanted = desired.Spec.Prefixes.ToHashSet(StringComparer.Ordinal);
        foreach (var (text, prefix) in present)
        {
            if (!wanted.Contains(text))
            {
                await WithdrawAsync([.. local.Announced.Where(r => r.Prefix == text && r.NextHop.Underlay == prefix.UnderlayRoute.ToString())]);
                Expect(await Dp.DeletePrefixAsync(id, prefix.Prefix), DpError.NotFound, "DeletePrefix");
                local.Prefixes.Remove(text);
            }
            else
            {
                local.Prefixes[text] = prefix.UnderlayRoute;
            }
        }

        foreach (var text in wanted)
        {
            if (!present.ContainsKey(text))
            {
                var created = await Dp.CreatePrefixAsync(id, IpPrefix.Parse(text));
                if (!created.IsOk || created.Value is null)
                {
                    throw new InvalidOperationException($"CreatePrefix {text} on {id} failed: {created}");
                }

                local.Prefixes[text] = created.Value;
            }
        }
    }

    /// <summary>Withdraw first, then remove data-plane objects (metalnet's delete order).</summary>
    private async Task TeardownAsync(LocalNic local)
    {
        var id = local.Uid.ToString();
        await WithdrawAsync(local.Announced);
        if (local.Vip is not null)
        {
            Expect(await Dp.DeleteVipAsync(id), DpError.NotFound, "DeleteVip");
        }

        foreach (var prefix in local.Prefixes.Keys.ToArray())
        {
            Expect(await Dp.DeletePrefixAsync(id, IpPrefix.Parse(prefix)), DpError.NotFound, "DeletePrefix");
        }

        var stillCounted = _local.TryGetValue(local.Key, out var registered) && registered.Uid == local.Uid && registered.Vni == local.Vni;
        var lastInVni = LocalNicsIn(local.Vni) - (stillCounted ? 1 : 0) == 0;
        if (lastInVni && _ribs.Remove(local.Vni, out var rib))
        {
            foreach (var prefix in rib.Installed.Keys)
            {
                await Dp.DeleteRouteAsync(local.Vni, IpPrefix.Parse(prefix)); // any refusal means it is already gone
            }

            await Table(local.Vni).UnsubscribeAsync(Node);
        }

        Expect(await Dp.DeleteInterfaceAsync(id), DpError.NotFound, "DeleteInterface");
        RemoveLocal(local.Key);
        _deviceClaims.Remove(local.Uid);
        LogInterfaceDeleted(logger, Node, id, local.Vni);
    }

    /// <summary>Deletes interfaces PacketCore has that nobody wants (left over from before a restart).</summary>
    private async Task SweepDataPlaneAsync()
    {
        var listed = await Dp.ListInterfacesAsync();
        if (!listed.IsOk || listed.Value is null)
        {
            return;
        }

        var wanted = _local.Values.Select(l => l.Uid.ToString()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var stale in listed.Value.Where(i => !wanted.Contains(i.Id)))
        {
            await Dp.DeleteVipAsync(stale.Id);
            var prefixes = await Dp.ListPrefixesAsync(stale.Id);
            foreach (var p in prefixes.Value ?? [])
            {
                await Dp.DeletePrefixAsync(stale.Id, p.Prefix);
            }

            await Dp.DeleteInterfaceAsync(stale.Id);
            LogSwept(logger, Node, stale.Id);
        }
    }

    /// <summary>Withdraws announcements a previous incarnation of this agent left in the route tables.</summary>
    private async Task WithdrawStaleAnnouncementsAsync()
    {
        var mine = _local.Values.SelectMany(l => l.Announced).ToHashSet();
        foreach (var vni in await GrainFactory.GetGrain<IRouteRegistryGrain>(0).GetVnisAsync(Node))
        {
            var table = Table(vni);
            var stale = (await table.GetSnapshotAsync()).Routes
                .Where(r => r.Origin == Node && !mine.Contains(r.Route)).Select(r => r.Route).ToList();
            if (stale.Count > 0)
            {
                await table.WithdrawAsync(Node, stale);
            }
        }
    }

    private IEnumerable<Route> DesiredAnnouncements(NetworkInterfaceInfo desired, LocalNic local)
    {
        var underlay = new NextHop(local.Underlay.ToString());
        foreach (var ip in desired.Spec.Ips)
        {
            var prefix = HostPrefix(IPAddress.Parse(ip));
            yield return new Route(local.Vni, prefix, underlay);
            if (ip.Contains(':', StringComparison.Ordinal))
            {
                yield return new Route(PublicVni, prefix, underlay); // routable IPv6 goes to the border as well
            }
        }

        if (local.Vip is not null && local.VipUnderlay is not null)
        {
            yield return new Route(PublicVni, HostPrefix(local.Vip), new NextHop(local.VipUnderlay.ToString()));
        }

        foreach (var (prefix, prefixUnderlay) in local.Prefixes)
        {
            yield return new Route(local.Vni, prefix, new NextHop(prefixUnderlay.ToString()));
        }
    }

    private async Task AnnounceDiffAsync(LocalNic local, IEnumerable<Route> wanted)
    {
        var set = wanted.ToHashSet();
        var gone = local.Announced.Where(r => !set.Contains(r)).ToList();
        var added = set.Where(r => !local.Announced.Contains(r)).ToList();
        await WithdrawAsync(gone);
        foreach (var group in added.GroupBy(r => r.Vni))
        {
            await Table(group.Key).AnnounceAsync(Node, [.. group]);
        }

        local.Announced.ExceptWith(gone);
        local.Announced.UnionWith(added);
    }

    /// <summary>Re-syncs the table with everything this node announces in the VNI (also when that is nothing: it ends the table's wait).</summary>
    private async Task AnnounceAllInVniAsync(uint vni)
    {
        var routes = _local.Values.SelectMany(l => l.Announced).Where(r => r.Vni == vni).ToList();
        await Table(vni).SyncOriginAsync(Node, routes);
    }

    private async Task WithdrawAsync(ICollection<Route> routes)
    {
        foreach (var group in routes.GroupBy(r => r.Vni))
        {
            await Table(group.Key).WithdrawAsync(Node, [.. group]);
        }
    }

    private async Task EnsureSubscribedAsync(uint vni)
    {
        if (!_ribs.ContainsKey(vni))
        {
            await ResyncVniAsync(vni);
        }
    }

    private async Task ResyncVniAsync(uint vni)
    {
        if (!_ribs.TryGetValue(vni, out var rib))
        {
            rib = new VniRib(vni, Node);
            _ribs[vni] = rib;
        }

        try
        {
            var snapshot = await Table(vni).SubscribeAsync(Node);

            // A restarted table still waiting for its announcers (incomplete snapshot): they are re-announcing right now, so
            // keep what is installed for a while instead of deleting routes that are about to come back, until End-of-RIB
            // (a Complete delta) or the stale timer ends. A complete snapshot is the whole truth: anything else goes now.
            if (snapshot.Complete)
            {
                rib.KeepUnselectedUntil = 0;
            }
            else if (rib.Version < 0 || (rib.Version >> 32) != (snapshot.Version >> 32))
            {
                rib.KeepUnselectedUntil = Environment.TickCount64 + (long)ResyncGrace.TotalMilliseconds;
            }

            rib.Reset(snapshot);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            _vnisToResync.Add(vni);
            LogSubscribeFailed(logger, ex, Node, vni);
            return;
        }

        await ProgramRoutesAsync(rib, adoptExisting: true);
    }

    /// <summary>
    /// Makes PacketCore's routes of the VNI equal to the RIB's selection (level-based; retried on every tick). With
    /// <paramref name="adoptExisting"/> (a VNI resync), the routes PacketCore already holds are first taken into the
    /// installed set, so routes nobody announces any more (left by an earlier activation or agent process, e.g. of a
    /// node that died meanwhile) are removed and wanted ones are kept without a delete and re-create that drops traffic.
    /// </summary>
    private async Task ProgramRoutesAsync(VniRib rib, bool adoptExisting = false)
    {
        if (LocalNicsIn(rib.Vni) == 0)
        {
            return; // dpservice only takes routes for VNIs in use
        }

        rib.NeedsProgramming = false; // this pass covers the whole table; a failure in it sets the flag again
        var selected = rib.Selected();
        if (adoptExisting && await Dp.ListRoutesAsync(rib.Vni) is { IsOk: true, Value: { } listed })
        {
            foreach (var route in listed)
            {
                var prefix = route.Prefix.Normalize().ToString();
                if (!rib.Installed.ContainsKey(prefix))
                {
                    rib.Installed[prefix] = selected.TryGetValue(prefix, out var want)
                        && IPAddress.Parse(want.Underlay).Equals(route.NextHopAddress)
                        && (want.TargetVni == 0 ? rib.Vni : want.TargetVni) == route.NextHopVni
                        ? want
                        : new NextHop(route.NextHopAddress.ToString(), NextHopType.Standard, route.NextHopVni);
                }
            }
        }

        var keepUnselected = Environment.TickCount64 < rib.KeepUnselectedUntil;
        foreach (var (prefix, hop) in rib.Installed.ToArray())
        {
            var isSelected = selected.TryGetValue(prefix, out var want);
            if (!isSelected && keepUnselected && KeepStale(rib, prefix))
            {
                continue;
            }

            if (!isSelected || want != hop)
            {
                await RemoveInstalledAsync(rib, prefix);
            }
        }

        foreach (var (prefix, hop) in selected)
        {
            if (!rib.Installed.ContainsKey(prefix))
            {
                await InstallAsync(rib, prefix, hop);
            }
        }
    }

    /// <summary>
    /// <see cref="ProgramRoutesAsync"/> restricted to <paramref name="prefixes"/> (those a batch of deltas touched), so one
    /// announcement costs one route rather than a pass over the VNI's whole table; the tick still runs the full pass.
    /// </summary>
    private async Task ProgramPrefixesAsync(VniRib rib, HashSet<string> prefixes)
    {
        if (prefixes.Count == 0 || LocalNicsIn(rib.Vni) == 0)
        {
            return;
        }

        var keepUnselected = Environment.TickCount64 < rib.KeepUnselectedUntil;
        foreach (var prefix in prefixes)
        {
            var want = rib.SelectedFor(prefix);
            if (rib.Installed.TryGetValue(prefix, out var hop))
            {
                if (want == hop || (want is null && keepUnselected && KeepStale(rib, prefix)))
                {
                    continue;
                }

                if (!await RemoveInstalledAsync(rib, prefix))
                {
                    continue; // the tick's full pass retries
                }
            }

            if (want is { } wanted)
            {
                await InstallAsync(rib, prefix, wanted);
            }
        }
    }

    /// <summary>Whether an installed, no longer selected route is kept for now (stale timer); schedules its re-check.</summary>
    private bool KeepStale(VniRib rib, string prefix)
    {
        if (!rib.MayComeBack(prefix, IsNodeAlive))
        {
            return false;
        }

        LogRouteKept(logger, Node, prefix, rib.Vni, rib.KeepUnselectedUntil - Environment.TickCount64);
        ScheduleStaleRecheck();
        return true; // stale but kept until the grace ends; the stale recheck removes it then if still unannounced
    }

    private async Task<bool> RemoveInstalledAsync(VniRib rib, string prefix)
    {
        var deleted = await Dp.DeleteRouteAsync(rib.Vni, IpPrefix.Parse(prefix));
        if (!deleted.IsOk && deleted.Error is not (DpError.RouteNotFound or DpError.NoVni))
        {
            rib.NeedsProgramming = true;
            return false;
        }

        rib.Installed.Remove(prefix);
        instruments.OnRouteRemoved();
        LogRouteRemoved(logger, Node, prefix, rib.Vni);
        return true;
    }

    private async Task InstallAsync(VniRib rib, string prefix, NextHop hop)
    {
        var created = await Dp.CreateRouteAsync(rib.Vni, IpPrefix.Parse(prefix), hop.TargetVni == 0 ? rib.Vni : hop.TargetVni, IPAddress.Parse(hop.Underlay));
        if (created.IsOk || created.Error == DpError.RouteExists)
        {
            rib.Installed[prefix] = hop;
            instruments.OnRouteInstalled();
        }
        else
        {
            rib.NeedsProgramming = true;
            LogRouteRefused(logger, Node, rib.Vni, prefix, created.ToString());
        }
    }

    private void ScheduleStaleRecheck()
    {
        if (_staleRecheck is not null)
        {
            return;
        }

        _staleRecheck = this.RegisterGrainTimer(async _ =>
        {
            _staleRecheck?.Dispose();
            _staleRecheck = null;
            foreach (var rib in _ribs.Values.Where(r => Environment.TickCount64 < r.KeepUnselectedUntil + (long)StaleRecheck.TotalMilliseconds).ToArray())
            {
                await ProgramRoutesAsync(rib);
            }
        }, new GrainTimerCreationOptions(StaleRecheck, Timeout.InfiniteTimeSpan));
    }

    /// <summary>Whether some silo serving <paramref name="node"/> is not (yet) declared dead in this silo's view of membership.</summary>
    private bool IsNodeAlive(string node)
    {
        foreach (var member in membership.CurrentSnapshot.Members.Values)
        {
            if (member.Status != SiloStatus.Dead && NodeAgentSilo.Serves(member.Name, node))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Forgets routes we believe installed that PacketCore no longer has (a re-Initialize drops configured routes
    /// without a new uuid), so the next programming pass puts them back.
    /// </summary>
    private async Task VerifyInstalledRoutesAsync(VniRib rib)
    {
        if (rib.Installed.Count == 0)
        {
            return;
        }

        var listed = await Dp.ListRoutesAsync(rib.Vni);
        if (!listed.IsOk || listed.Value is null)
        {
            return;
        }

        var present = listed.Value.Select(r => r.Prefix.Normalize().ToString()).ToHashSet(StringComparer.Ordinal);
        foreach (var prefix in rib.Installed.Keys.ToArray())
        {
            if (!present.Contains(prefix))
            {
                rib.Installed.Remove(prefix);
            }
        }
    }

    /// <summary>
    /// Reports Ready without holding this grain's turn: the report is a control-plane transaction (hundreds of ms under
    /// load), and awaiting it inside the turn queued route deliveries behind it until they timed out. One report per
    /// NIC is in flight; a failed one puts the NIC back on the retry list for the next tick.
    /// </summary>
    private void StartReportReady(NetworkInterfaceInfo desired, LocalNic local)
    {
        var underlay = local.Underlay.ToString();
        var prefixes = local.Prefixes.Keys.Order(StringComparer.Ordinal).ToArray();
        if (desired.Status.State == NetworkInterfaceState.Ready && desired.Status.TapDevice == local.VfName
            && desired.Status.UnderlayAddress == underlay && desired.Status.Prefixes.SequenceEqual(prefixes))
        {
            return;
        }

        var key = desired.Name.Key;
        if (!_reporting.Add(key))
        {
            return; // one in flight; the next reconcile or tick reports again if it was stale
        }

        _ = ReportReadyInBackgroundAsync(desired, local, underlay, prefixes, key);
    }

    private async Task ReportReadyInBackgroundAsync(NetworkInterfaceInfo desired, LocalNic local, string underlay, string[] prefixes, string key)
    {
        try
        {
            var updated = await ControlPlane.ReportNetworkInterfaceStatusAsync(desired.Name, new NetworkInterfaceStatusReport
            {
                Uid = desired.Uid,
                State = NetworkInterfaceState.Ready,
                TapDevice = local.VfName,
                UnderlayAddress = underlay,
                Prefixes = prefixes,
            });

            // Take only the status: a newer spec of the same NIC may have arrived while the report was in flight.
            if (updated is not null && _desired.TryGetValue(key, out var current) && current.Uid == updated.Uid)
            {
                _desired[key] = current with { Status = updated.Status };
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogReportFailed(logger, ex, Node, key);
            _failing.Add(key); // the next tick reconciles (idempotently) and reports again
        }
        finally
        {
            _reporting.Remove(key);
        }
    }

    private async Task ReportErrorAsync(NetworkInterfaceInfo desired, string message)
    {
        try
        {
            await ControlPlane.ReportNetworkInterfaceStatusAsync(desired.Name, new NetworkInterfaceStatusReport
            {
                Uid = desired.Uid,
                State = NetworkInterfaceState.Error,
                Message = message,
            });
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogReportFailed(logger, ex, Node, desired.Name.Key);
        }
    }

    private static void Expect(ControlResult result, DpError tolerated, string operation)
    {
        if (!result.IsOk && result.Error != tolerated)
        {
            throw new InvalidOperationException($"{operation} failed: {result}");
        }
    }

    private static string HostPrefix(IPAddress address)
        => $"{address}/{(address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)}";

    private int LocalNicsIn(uint vni) => _localPerVni.GetValueOrDefault(vni);

    private void AddLocal(LocalNic local)
    {
        RemoveLocal(local.Key);
        _local[local.Key] = local;
        _localPerVni[local.Vni] = LocalNicsIn(local.Vni) + 1;
    }

    private void RemoveLocal(string key)
    {
        if (_local.Remove(key, out var gone))
        {
            var left = LocalNicsIn(gone.Vni) - 1;
            if (left > 0)
            {
                _localPerVni[gone.Vni] = left;
            }
            else
            {
                _localPerVni.Remove(gone.Vni);
            }
        }
    }

    /// <summary>What this agent programmed and announced for one NIC.</summary>
    private sealed class LocalNic(string key, Guid uid, uint vni, IPAddress underlay, string vfName, string pciName)
    {
        public string Key { get; } = key;
        public Guid Uid { get; } = uid;
        public uint Vni { get; } = vni;
        public IPAddress Underlay { get; } = underlay;
        public string VfName { get; } = vfName;
        public string PciName { get; } = pciName;
        public IPAddress? Vip { get; set; }
        public IPAddress? VipUnderlay { get; set; }
        public Dictionary<string, IPAddress> Prefixes { get; } = new(StringComparer.Ordinal);
        public HashSet<Route> Announced { get; } = [];
    }
}
