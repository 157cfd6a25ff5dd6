using System.Buffers.Binary;
using System.Net;
using IronOrleans.PacketCore.Control;
using IronOrleans.PacketCore.Diagnostics;
using IronOrleans.PacketCore.Tables;

namespace IronOrleans.PacketCore.Tests;

/// <summary>
/// The LPMs as the control plane uses them: a base plus an overlay of the changes since, folded into a new base once it
/// grows. Every table along a random history of adds, replacements and withdrawals must answer like a naive
/// longest-prefix match over the routes present at that point.
/// </summary>
public sealed class LpmOverlayTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Lpm4_BaseWithOverlay_MatchesNaiveLongestPrefixMatch_AlongARandomHistory(int seed)
    {
        int[] lengths = [0, 8, 16, 24, 28, 32];
        Lpm4? lpm = null;
        var overlaid = 0;
        RandomHistory<uint>(seed, 600, random =>
        {
            var length = lengths[random.Next(lengths.Length)];
            return (Mask4(0x0A000000u | (uint)random.Next(0, 1 << 12) << 4 | (uint)random.Next(16), length), length);
        }, (routes, changes, random) =>
        {
            if (lpm is null || changes.Count > Lpm4.OverlayLimit(routes.Count))
            {
                lpm = new Lpm4([.. routes.Select(r => (r.Key.Address, r.Key.Length, r.Value))]);
                changes.Clear();
            }
            else
            {
                lpm = lpm.WithOverlay(changes);
                overlaid++;
            }

            Assert.Equal(changes.Count, lpm.OverlayCount);
            foreach (var probe in Probes4(routes.Keys.Concat(changes.Keys), random))
            {
                var expected = Naive(routes, probe, 32, Mask4);
                Assert.Equal(expected.HasValue, lpm.TryLookup(probe, out var hit));
                Assert.Equal(expected ?? default, hit);
            }
        });

        Assert.True(overlaid > 300, $"only {overlaid} of 600 tables had an overlay"); // the overlay path was exercised
    }

    [Fact]
    public void Lpm6_BaseWithOverlay_MatchesNaiveLongestPrefixMatch_AlongARandomHistory()
    {
        int[] lengths = [0, 48, 64, 112, 128];
        var root = AddressConversions.ToUInt128(IPAddress.Parse("2001:db8::"));
        Lpm6? lpm = null;
        RandomHistory<UInt128>(6, 400, random =>
        {
            var length = lengths[random.Next(lengths.Length)];
            return (Mask6(root | (UInt128)(uint)random.Next(4) << 80 | (UInt128)(uint)random.Next(4) << 64 | (uint)random.Next(0, 1 << 10), length), length);
        }, (routes, changes, _) =>
        {
            if (lpm is null || changes.Count > Lpm4.OverlayLimit(routes.Count))
            {
                lpm = new Lpm6([.. routes.Select(r => (r.Key.Address, r.Key.Length, r.Value))]);
                changes.Clear();
            }
            else
            {
                lpm = lpm.WithOverlay(changes);
            }

            Assert.Equal(changes.Count, lpm.OverlayCount);
            foreach (var (prefix, _) in routes.Keys.Concat(changes.Keys).Take(64))
            {
                foreach (var probe in new[] { prefix, prefix | 1, prefix | (UInt128)1 << 70 })
                {
                    var expected = Naive(routes, probe, 128, Mask6);
                    Assert.Equal(expected.HasValue, lpm.TryLookup(probe, out var hit));
                    Assert.Equal(expected ?? default, hit);
                }
            }
        });
    }

    [Fact]
    public void ManyRouteChanges_ThroughTheControlApi_ForwardByTheCurrentRoutes()
    {
        // Enough changes to cross several overlay folds; every withdrawn /32 stops forwarding, every replaced one
        // forwards to its new next hop, and the covering /16 catches what is left.
        using var t = new TestEngine();
        t.CreateInterface("a", 100, "10.0.0.1", null, 1);
        Assert.True(t.Control.CreateRoute(100, IpPrefix.Parse("10.1.0.0/16"), 100, IPAddress.Parse("fc00:9::1")).IsOk);
        for (var i = 1; i <= 200; i++)
        {
            Assert.True(t.Control.CreateRoute(100, IpPrefix.Parse($"10.1.0.{i}/32"), 100, IPAddress.Parse($"fc00:1::{i:x}")).IsOk);
        }

        for (var i = 1; i <= 200; i += 3)
        {
            Assert.True(t.Control.DeleteRoute(100, IpPrefix.Parse($"10.1.0.{i}/32")).IsOk);
        }

        for (var i = 2; i <= 200; i += 3)
        {
            Assert.True(t.Control.DeleteRoute(100, IpPrefix.Parse($"10.1.0.{i}/32")).IsOk);
            Assert.True(t.Control.CreateRoute(100, IpPrefix.Parse($"10.1.0.{i}/32"), 100, IPAddress.Parse($"fc00:2::{i:x}")).IsOk);
        }

        foreach (var i in new[] { 1, 2, 3, 100, 101, 199, 200 })
        {
            var expected = (i % 3) switch
            {
                1 => "fc00:9::1",
                2 => $"fc00:2::{i:x}",
                _ => $"fc00:1::{i:x}",
            };
            t.Send(t.Vm(1), Frames.Ethernet(TestEngine.PortMacs[0], "52:54:00:00:00:01", Frames.Ipv4Type, Frames.Udp4("10.0.0.1", $"10.1.0.{i}", 1, 2, [])));
            var frame = TestEngine.TakeOne(t.Uplink);
            Assert.Equal(Frames.Ipv6Type, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)));
            Assert.Equal(Frames.Ip(expected), frame.AsSpan(14 + 24, 16).ToArray());
        }

        Assert.Equal(0, t.Drops(DropReason.NoRoute));
        Assert.Equal(1 + 200 - 67, t.Control.ListRoutes(100).Value!.Count);
    }

    private static IEnumerable<uint> Probes4(IEnumerable<(uint Address, int Length)> prefixes, Random random)
    {
        foreach (var (address, _) in prefixes.Take(64))
        {
            yield return address;
            yield return address | 1;
            yield return address | 0x100;
        }

        for (var i = 0; i < 16; i++)
        {
            yield return (uint)random.Next() | (random.Next(2) == 0 ? 0x0A000000u : 0u);
        }
    }

    /// <summary>
    /// Adds, replaces and withdraws random prefixes (recording each in the changes since the last fold, withdrawals as
    /// <see cref="RouteKind.None"/>) and hands every intermediate state to <paramref name="check"/>.
    /// </summary>
    private static void RandomHistory<TAddress>(
        int seed,
        int steps,
        Func<Random, (TAddress Address, int Length)> nextPrefix,
        Action<Dictionary<(TAddress Address, int Length), RouteTarget>, Dictionary<(TAddress Address, int Length), RouteTarget>, Random> check)
        where TAddress : notnull
    {
        var random = new Random(seed);
        var routes = new Dictionary<(TAddress Address, int Length), RouteTarget>();
        var changes = new Dictionary<(TAddress Address, int Length), RouteTarget>();
        for (var step = 0; step < steps; step++)
        {
            var key = nextPrefix(random);
            if (routes.ContainsKey(key) && random.Next(3) == 0)
            {
                routes.Remove(key);
                changes[key] = default;
            }
            else
            {
                var target = new RouteTarget(RouteKind.External, (byte)key.Length, 0, 7, (UInt128)step + 1);
                routes[key] = target;
                changes[key] = target;
            }

            check(routes, changes, random);
        }
    }

    private static RouteTarget? Naive<TAddress>(Dictionary<(TAddress Address, int Length), RouteTarget> routes, TAddress address, int bits, Func<TAddress, int, TAddress> mask)
        where TAddress : notnull
    {
        for (var length = bits; length >= 0; length--)
        {
            if (routes.TryGetValue((mask(address, length), length), out var target))
            {
                return target;
            }
        }

        return null;
    }

    private static uint Mask4(uint address, int length) => length == 0 ? 0u : address & (uint.MaxValue << (32 - length));

    private static UInt128 Mask6(UInt128 address, int length) => length == 0 ? UInt128.Zero : address & (UInt128.MaxValue << (128 - length));
}
