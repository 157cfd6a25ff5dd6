using System.Numerics;

namespace IronOrleans.Grains.Allocation;

/// <summary>Bit operations over a word array: finding a free bit is a scan of 64-bit words, not of values.</summary>
internal static class Bitmap
{
    public static int WordsFor(int bits) => (bits + 63) / 64;

    public static bool IsSet(ulong[] words, int bit) => (words[bit >> 6] & (1UL << (bit & 63))) != 0;

    public static void Set(ulong[] words, int bit) => words[bit >> 6] |= 1UL << (bit & 63);

    public static void Clear(ulong[] words, int bit) => words[bit >> 6] &= ~(1UL << (bit & 63));

    /// <summary>First clear bit at or after <paramref name="start"/>, wrapping around; -1 when all <paramref name="bits"/> are set.</summary>
    public static int FindClear(ulong[] words, int bits, int start)
    {
        if (bits == 0)
        {
            return -1;
        }

        start = (int)((uint)start % (uint)bits);
        var wordCount = WordsFor(bits);
        var first = start >> 6;
        for (var n = 0; n <= wordCount; n++)
        {
            var w = (first + n) % wordCount;
            var free = ~words[w];
            if (n == 0)
            {
                free &= ulong.MaxValue << (start & 63); // only bits at or after start in the first word
            }

            if (w == wordCount - 1 && (bits & 63) != 0)
            {
                free &= (1UL << (bits & 63)) - 1; // bits past the end do not exist
            }

            if (free != 0)
            {
                return (w << 6) + BitOperations.TrailingZeroCount(free);
            }
        }

        // The first word's low bits (before start) are covered by the final wrap iteration (n == wordCount).
        return -1;
    }
}
