namespace SharpnessML.Studies.Workloads.Notebook;

/// <summary>
/// NumPy's legacy <c>RandomState(seed)</c> (MT19937 seeded with <c>init_genrand</c>) as far as
/// <c>permutation(n)</c>: enough to reproduce scikit-learn's <c>train_test_split(random_state=42)</c>, which
/// the seed paper's Abalone notebook uses (its test rows are <c>permutation(n)[:ceil(0.2 n)]</c>, its
/// training rows the rest, in that order).
/// </summary>
internal sealed class NumpyRandomState
{
    private const int N = 624, M = 397;
    private readonly uint[] state = new uint[N];
    private int position;

    public NumpyRandomState(uint seed)
    {
        state[0] = seed;
        for (int i = 1; i < N; i++) state[i] = unchecked(1812433253u * (state[i - 1] ^ (state[i - 1] >> 30)) + (uint)i);
        position = N;
    }

    /// <summary>The next 32-bit output of MT19937.</summary>
    public uint NextUInt32()
    {
        if (position >= N) Generate();
        uint y = state[position++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= y >> 18;
        return y;
    }

    /// <summary>A uniform integer in [0, <paramref name="max"/>] by masked rejection (NumPy's <c>random_interval</c>).</summary>
    public uint Interval(uint max)
    {
        if (max == 0) return 0;
        uint mask = max;
        mask |= mask >> 1;
        mask |= mask >> 2;
        mask |= mask >> 4;
        mask |= mask >> 8;
        mask |= mask >> 16;
        uint value;
        while ((value = NextUInt32() & mask) > max) { }
        return value;
    }

    /// <summary><c>RandomState.permutation(n)</c>: a Fisher–Yates shuffle of 0 … n − 1 from the last element down.</summary>
    public int[] Permutation(int n)
    {
        var values = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i >= 1; i--)
        {
            int j = (int)Interval((uint)i);
            (values[i], values[j]) = (values[j], values[i]);
        }

        return values;
    }

    private void Generate()
    {
        const uint upper = 0x80000000u, lower = 0x7fffffffu, matrix = 0x9908b0dfu;
        int k;
        for (k = 0; k < N - M; k++)
        {
            uint y = (state[k] & upper) | (state[k + 1] & lower);
            state[k] = state[k + M] ^ (y >> 1) ^ ((y & 1) != 0 ? matrix : 0);
        }

        for (; k < N - 1; k++)
        {
            uint y = (state[k] & upper) | (state[k + 1] & lower);
            state[k] = state[k + M - N] ^ (y >> 1) ^ ((y & 1) != 0 ? matrix : 0);
        }

        uint last = (state[N - 1] & upper) | (state[0] & lower);
        state[N - 1] = state[M - 1] ^ (last >> 1) ^ ((last & 1) != 0 ? matrix : 0);
        position = 0;
    }
}
