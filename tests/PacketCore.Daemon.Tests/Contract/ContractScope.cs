namespace IronOrleans.PacketCore.Daemon.Tests.Contract;

/// <summary>The RPCs PacketCore implements (issue 3); every other RPC of the contract is UNIMPLEMENTED.</summary>
internal static class ContractScope
{
    public const string Service = "dpdkironcore.v1.DPDKironcore";

    public static readonly IReadOnlySet<string> Implemented = new HashSet<string>(StringComparer.Ordinal)
    {
        "CheckInitialized", "Initialize", "GetVersion",
        "ListInterfaces", "GetInterface", "CreateInterface", "DeleteInterface",
        "ListPrefixes", "CreatePrefix", "DeletePrefix",
        "ListRoutes", "CreateRoute", "DeleteRoute",
        "CheckVniInUse", "ResetVni",
        "CreateVip", "GetVip", "DeleteVip",
    };
}
