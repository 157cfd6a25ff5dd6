using IronOrleans.Grains.Allocation;

namespace IronOrleans.Grains.Tests;

public class BitmapTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(200)]
    public void FindClear_FromAnyStart_TakesEveryBitExactlyOnceThenReportsFull(int bits)
    {
        var words = new ulong[Bitmap.WordsFor(bits)];
        var seen = new HashSet<int>();
        for (var i = 0; i < bits; i++)
        {
            var bit = Bitmap.FindClear(words, bits, (i * 37) % bits);
            Assert.InRange(bit, 0, bits - 1);
            Assert.True(seen.Add(bit), $"bit {bit} granted twice");
            Bitmap.Set(words, bit);
        }

        Assert.Equal(-1, Bitmap.FindClear(words, bits, 0));
    }

    [Fact]
    public void FindClear_WrapsAroundToBitsBeforeStart()
    {
        var words = new ulong[Bitmap.WordsFor(130)];
        for (var i = 0; i < 130; i++)
        {
            Bitmap.Set(words, i);
        }

        Bitmap.Clear(words, 3);
        Assert.Equal(3, Bitmap.FindClear(words, 130, 100));
    }

    [Fact]
    public void FindClear_NeverReturnsBitsPastTheEnd()
    {
        var words = new ulong[1];
        for (var i = 0; i < 10; i++)
        {
            Bitmap.Set(words, i);
        }

        Assert.Equal(-1, Bitmap.FindClear(words, 10, 5));
    }
}
