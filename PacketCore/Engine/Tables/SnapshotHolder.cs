namespace IronOrleans.PacketCore.Tables;

/// <summary>The one volatile reference through which the control side publishes table snapshots to the workers.</summary>
internal sealed class SnapshotHolder(DataPlaneSnapshot initial)
{
    private volatile DataPlaneSnapshot _current = initial;

    public DataPlaneSnapshot Current
    {
        get => _current;
        set => _current = value;
    }
}
