using System.Runtime.CompilerServices;

// The packet path keeps many struct locals (flow keys, route targets, spans); without this the JIT zeroes them in every
// call's prolog. Measured with tests/PacketCore.Benchmarks --quick: see the commit that added this line.
[module: SkipLocalsInit]
