using System.Buffers.Binary;
using System.Security.Cryptography;

namespace HttpBin;

/// <summary>
/// The bytes /bytes/{n}?seed= serves: a xorshift64* stream, so any length can be produced in
/// pieces without holding it, and a test can compute the expected hash itself.
/// </summary>
public sealed class DeterministicBytes(ulong seed)
{
    private ulong _state = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;
    private ulong _current;
    private int _left;

    /// <summary>Writes the next bytes of the stream; consecutive calls continue it, whatever their sizes.</summary>
    public void Fill(Span<byte> destination)
    {
        int i = 0;
        while (i < destination.Length && _left > 0)
        {
            destination[i++] = TakeByte();
        }

        for (; destination.Length - i >= 8; i += 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(destination[i..], Next());
        }

        if (i < destination.Length)
        {
            _current = Next();
            _left = 8;
            while (i < destination.Length)
            {
                destination[i++] = TakeByte();
            }
        }
    }

    private byte TakeByte()
    {
        byte value = (byte)_current;
        _current >>= 8;
        _left--;
        return value;
    }

    private ulong Next()
    {
        _state ^= _state >> 12;
        _state ^= _state << 25;
        _state ^= _state >> 27;
        return _state * 0x2545F4914F6CDD1DUL;
    }

    public static byte[] Create(int length, ulong seed)
    {
        byte[] bytes = new byte[length];
        new DeterministicBytes(seed).Fill(bytes);
        return bytes;
    }

    /// <summary>The SHA-256 of the first <paramref name="length"/> bytes of the stream for <paramref name="seed"/>, in lower-case hex.</summary>
    public static string Sha256Hex(long length, ulong seed)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var bytes = new DeterministicBytes(seed);
        byte[] buffer = new byte[64 * 1024];
        for (long left = length; left > 0; left -= buffer.Length)
        {
            Span<byte> chunk = buffer.AsSpan(0, (int)Math.Min(buffer.Length, left));
            bytes.Fill(chunk);
            hash.AppendData(chunk);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
