using System.Collections.Frozen;
using IronOrleans.PacketCore.Grpc.V1;

namespace IronOrleans.PacketCore.Grpc.Mapping;

/// <summary>
/// dpservice's application error numbers and their symbolic names (reference/dpservice.md §1.6,
/// include/dp_error.h). They travel in <see cref="Status.Code"/> / <see cref="Status.Message"/>.
/// A number is never renamed or reused.
/// </summary>
public static class DpErrors
{
    public const uint Ok = 0;
    public const uint BadRequest = 101;
    public const uint NotFound = 201;
    public const uint AlreadyExists = 202;
    public const uint WrongType = 203;
    public const uint BadIpVersion = 204;
    public const uint NoVm = 205;
    public const uint NoVni = 206;
    public const uint Iterator = 207;
    public const uint OutOfMemory = 208;
    public const uint LimitReached = 209;
    public const uint AlreadyActive = 210;
    public const uint NotActive = 211;
    public const uint Rollback = 212;
    public const uint RteRuleAdd = 213;
    public const uint RteRuleDel = 214;
    public const uint RouteExists = 301;
    public const uint RouteNotFound = 302;
    public const uint RouteInsert = 303;
    public const uint RouteBadPort = 304;
    public const uint RouteReset = 305;
    public const uint DnatNoData = 321;
    public const uint DnatCreate = 322;
    public const uint DnatExists = 323;
    public const uint SnatNoData = 341;
    public const uint SnatCreate = 342;
    public const uint SnatExists = 343;
    public const uint VniInit4 = 361;
    public const uint VniInit6 = 362;
    public const uint VniFree4 = 363;
    public const uint VniFree6 = 364;
    public const uint PortStart = 381;
    public const uint PortStop = 382;
    public const uint PortMeter = 383;
    public const uint VnfInsert = 401;
    public const uint VmHandle = 402;
    public const uint NoBackIp = 421;
    public const uint NoLb = 422;
    public const uint BackIpAdd = 423;
    public const uint BackIpDel = 424;
    public const uint NoDropSupport = 441;

    private static readonly FrozenDictionary<uint, string> Names = new Dictionary<uint, string>
    {
        [Ok] = "Success",
        [BadRequest] = "BAD_REQUEST",
        [NotFound] = "NOT_FOUND",
        [AlreadyExists] = "ALREADY_EXISTS",
        [WrongType] = "WRONG_TYPE",
        [BadIpVersion] = "BAD_IPVER",
        [NoVm] = "NO_VM",
        [NoVni] = "NO_VNI",
        [Iterator] = "ITERATOR",
        [OutOfMemory] = "OUT_OF_MEMORY",
        [LimitReached] = "LIMIT_REACHED",
        [AlreadyActive] = "ALREADY_ACTIVE",
        [NotActive] = "NOT_ACTIVE",
        [Rollback] = "ROLLBACK",
        [RteRuleAdd] = "RTE_RULE_ADD",
        [RteRuleDel] = "RTE_RULE_DEL",
        [RouteExists] = "ROUTE_EXISTS",
        [RouteNotFound] = "ROUTE_NOT_FOUND",
        [RouteInsert] = "ROUTE_INSERT",
        [RouteBadPort] = "ROUTE_BAD_PORT",
        [RouteReset] = "ROUTE_RESET",
        [DnatNoData] = "DNAT_NO_DATA",
        [DnatCreate] = "DNAT_CREATE",
        [DnatExists] = "DNAT_EXISTS",
        [SnatNoData] = "SNAT_NO_DATA",
        [SnatCreate] = "SNAT_CREATE",
        [SnatExists] = "SNAT_EXISTS",
        [VniInit4] = "VNI_INIT4",
        [VniInit6] = "VNI_INIT6",
        [VniFree4] = "VNI_FREE4",
        [VniFree6] = "VNI_FREE6",
        [PortStart] = "PORT_START",
        [PortStop] = "PORT_STOP",
        [PortMeter] = "PORT_METER",
        [VnfInsert] = "VNF_INSERT",
        [VmHandle] = "VM_HANDLE",
        [NoBackIp] = "NO_BACKIP",
        [NoLb] = "NO_LB",
        [BackIpAdd] = "BACKIP_ADD",
        [BackIpDel] = "BACKIP_DEL",
        [NoDropSupport] = "NO_DROP_SUPPORT",
    }.ToFrozenDictionary();

    /// <summary>All known codes, for contract tests and documentation.</summary>
    public static IReadOnlyDictionary<uint, string> All => Names;

    /// <summary>The symbolic name of <paramref name="code"/>; unknown numbers keep their number as text.</summary>
    public static string NameOf(uint code) =>
        Names.TryGetValue(code, out var name) ? name : code.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The embedded <see cref="Status"/> for <paramref name="code"/>.</summary>
    public static Status ToStatus(uint code) => new() { Code = code, Message = NameOf(code) };

    /// <summary>The embedded success status.</summary>
    public static Status Success() => ToStatus(Ok);
}
