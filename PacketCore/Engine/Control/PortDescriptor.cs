namespace IronOrleans.PacketCore.Control;

/// <summary>A port of the engine as the control side sees it: index 0 is the uplink, then the VM ports in option order.</summary>
/// <param name="Index">Port index used by the packet path.</param>
/// <param name="Name">Device name (dpservice's DPDK port name, <c>device_name</c> in CreateInterface).</param>
/// <param name="VfName">Linux netdev name (the TAP name) returned as <c>vf.name</c>.</param>
/// <param name="Mac">The port's own MAC (the gateway MAC the VM sees), as a 48-bit value.</param>
/// <param name="IsUplink">True for the PF/uplink port.</param>
public sealed record PortDescriptor(int Index, string Name, string VfName, ulong Mac, bool IsUplink);
