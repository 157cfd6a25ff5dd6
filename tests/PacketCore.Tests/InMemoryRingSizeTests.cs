using IronOrleans.PacketCore.Io;

namespace IronOrleans.PacketCore.Tests;

/// <summary>The engine builds its in-memory ports with <see cref="PacketCoreOptions.InMemoryRingSize"/> slots.</summary>
public sealed class InMemoryRingSizeTests
{
    [Theory]
    [InlineData(4)]
    [InlineData(PacketCoreOptions.DefaultInMemoryRingSize)]
    public void Every_in_memory_port_holds_exactly_the_configured_number_of_frames(int ringSize)
    {
        using var engine = new TestEngine(o => o.InMemoryRingSize = ringSize);
        var frame = Frames.ArpRequest(TestEngine.VmMacs[0], "10.0.0.1", "10.0.0.9");

        foreach (var port in engine.Engine.Ports.Cast<InMemoryPort>())
        {
            for (var i = 0; i < ringSize; i++)
            {
                Assert.True(port.Inject(frame), $"{port.Name}: frame {i + 1} of {ringSize} did not fit");
            }

            Assert.False(port.Inject(frame), $"{port.Name}: a ring of {ringSize} slots took one frame more");
        }
    }
}
