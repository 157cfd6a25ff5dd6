using Google.Protobuf.WellKnownTypes;

namespace IronOrleans.Gateway.Mapping;

/// <summary>Time conversions shared by the mappers.</summary>
internal static class ProtoTime
{
    /// <summary>A timestamp, or null for the default value (never set).</summary>
    public static Timestamp? MapToTimestamp(DateTimeOffset value) => value == default ? null : Timestamp.FromDateTimeOffset(value);
}
