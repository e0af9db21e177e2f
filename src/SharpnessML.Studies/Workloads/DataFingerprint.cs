using System.Security.Cryptography;
using SharpnessML.Trainers.Data;

namespace SharpnessML.Studies.Workloads;

/// <summary>
/// The SHA-256 (hex) of one or more files, in order: the identity of a study's data. Each must be a regular file within
/// its reader's limit (<see cref="InputFile"/>), checked before it is read, so a device or FIFO never blocks the hash.
/// </summary>
internal static class DataFingerprint
{
    public static string Of(string what, long maxBytes, params string[] paths)
    {
        foreach (var path in paths) InputFile.Check(path, what, maxBytes);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var path in paths)
        {
            if (Directory.Exists(path)) throw new FileNotFoundException($"Data file '{path}' is a folder, not a file.", path);
            using var file = File.OpenRead(path);
            var buffer = new byte[1 << 16];
            int read;
            while ((read = file.Read(buffer, 0, buffer.Length)) > 0) hash.AppendData(buffer, 0, read);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
