using System.Text;

namespace SharpnessML.Cli.Tests.Fuzz;

/// <summary>
/// Seeded corruptions of a valid file: truncated, bytes flipped, a block overwritten, bytes inserted, a slice repeated,
/// emptied, grown with zeros or random bytes, and — for text — lines dropped, repeated or swapped and hostile tokens
/// (quotes, separators, brackets, YAML anchors and aliases, huge or non-finite numbers) spliced in.
/// </summary>
internal static class Mutations
{
    private static readonly string[] Tokens =
    {
        "\"", ",", "\n", "\r\n", "{", "}", "[", "]", "&a ", "*a", "? ", ": ", "- ", "1e39", "-1e309", "NaN", "Infinity", "-1", "0",
        "99999999999999999999", "2147483648", "\t", "\0", "é", "\uFEFF", "'", "#", "|", ">", "!!binary ", "<<: *a",
    };

    /// <summary>The <paramref name="kind"/>-th kind of corruption of <paramref name="original"/>.</summary>
    public static (string Name, byte[] Bytes) Apply(byte[] original, int kind, Random random, bool text)
    {
        var bytes = original.ToList();
        int At(int extra = 0) => random.Next(Math.Max(1, bytes.Count + extra));
        switch (text ? kind % 12 : kind % 8)
        {
            case 0:
                return ("truncated", original[..random.Next(original.Length)]);
            case 1:
                for (int i = random.Next(1, 17); i > 0 && bytes.Count > 0; i--) bytes[At()] ^= (byte)(1 << random.Next(8));
                return ("bits flipped", bytes.ToArray());
            case 2:
            {
                int start = At(), length = Math.Min(random.Next(1, 4097), bytes.Count - start);
                for (int i = 0; i < length; i++) bytes[start + i] = (byte)random.Next(256);
                return ("block overwritten", bytes.ToArray());
            }
            case 3:
            {
                var inserted = new byte[random.Next(1, 257)];
                random.NextBytes(inserted);
                bytes.InsertRange(At(1), inserted);
                return ("bytes inserted", bytes.ToArray());
            }
            case 4:
            {
                int start = At(), length = Math.Min(random.Next(1, 1 << 16), bytes.Count - start);
                var slice = bytes.GetRange(start, length);
                for (int i = random.Next(1, 9); i > 0; i--) bytes.InsertRange(start, slice);
                return ("slice repeated", bytes.ToArray());
            }
            case 5:
                return ("emptied", Array.Empty<byte>());
            case 6:
                bytes.AddRange(new byte[random.Next(1, 4 << 20)]);
                return ("grown with zeros", bytes.ToArray());
            case 7:
            {
                var tail = new byte[random.Next(1, 1 << 20)];
                random.NextBytes(tail);
                bytes.AddRange(tail);
                return ("grown with random bytes", bytes.ToArray());
            }
        }

        var lines = Encoding.UTF8.GetString(original).Split('\n').ToList();
        switch (kind % 12)
        {
            case 8:
                lines.RemoveAt(random.Next(lines.Count));
                return ("line dropped", Join(lines));
            case 9:
            {
                int i = random.Next(lines.Count);
                lines.InsertRange(i, Enumerable.Repeat(lines[i], random.Next(1, 50)));
                return ("line repeated", Join(lines));
            }
            case 10:
            {
                int i = random.Next(lines.Count), j = random.Next(lines.Count);
                (lines[i], lines[j]) = (lines[j], lines[i]);
                return ("lines swapped", Join(lines));
            }
            default:
            {
                var textual = Encoding.UTF8.GetString(original);
                for (int n = random.Next(1, 6); n > 0; n--)
                    textual = textual.Insert(random.Next(textual.Length + 1), Tokens[random.Next(Tokens.Length)]);
                return ("tokens spliced", Encoding.UTF8.GetBytes(textual));
            }
        }
    }

    private static byte[] Join(List<string> lines) => Encoding.UTF8.GetBytes(string.Join('\n', lines));
}
