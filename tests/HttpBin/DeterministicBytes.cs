using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace HttpBin;

/// <summary>
/// The bytes /bytes/{n}?seed= serves: a xorshift64* stream, so any length can be produced in
/// pieces without holding it, and a test can compute the expected hash itself.
/// </summary>
public sealed class DeterministicBytes(ulong seed)
{
    /// <summary>The piece size <see cref="Sha256Hex"/> and the server generate in: under the large object heap threshold.</summary>
    public const int PieceSize = 64 * 1024;

    private const ulong Multiplier = 0x2545F4914F6CDD1DUL;

    private ulong _state = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;

    // Bytes of the last word not handed out yet (low byte first), when a Fill ended mid-word.
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

        // The hot loop: whole words straight into the buffer, the state kept in a register.
        int wholeWords = (destination.Length - i) / sizeof(ulong);
        if (wholeWords > 0)
        {
            Span<ulong> words = MemoryMarshal.Cast<byte, ulong>(destination.Slice(i, wholeWords * sizeof(ulong)));
            _state = BitConverter.IsLittleEndian ? FillWords(words, _state) : FillWordsBigEndian(words, _state);
            i += wholeWords * sizeof(ulong);
        }

        if (i < destination.Length)
        {
            _current = Next();
            _left = sizeof(ulong);
            while (i < destination.Length)
            {
                destination[i++] = TakeByte();
            }
        }
    }

    /// <summary>The first <paramref name="length"/> bytes of the stream for <paramref name="seed"/>, in one array: for small bodies only.</summary>
    public static byte[] Create(int length, ulong seed)
    {
        byte[] bytes = new byte[length];
        new DeterministicBytes(seed).Fill(bytes);
        return bytes;
    }

    /// <summary>The SHA-256 of the first <paramref name="length"/> bytes of the stream for <paramref name="seed"/>, in lower-case hex.</summary>
    public static string Sha256Hex(long length, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var bytes = new DeterministicBytes(seed);
        byte[] buffer = new byte[PieceSize];
        for (long left = length; left > 0; left -= buffer.Length)
        {
            Span<byte> chunk = buffer.AsSpan(0, (int)Math.Min(buffer.Length, left));
            bytes.Fill(chunk);
            hash.AppendData(chunk);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    // Fully optimized from the first call: a 4 GiB body spends most of its generation here.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static ulong FillWords(Span<ulong> words, ulong state)
    {
        for (int w = 0; w < words.Length; w++)
        {
            state = Step(state);
            words[w] = state * Multiplier;
        }

        return state;
    }

    private static ulong FillWordsBigEndian(Span<ulong> words, ulong state)
    {
        for (int w = 0; w < words.Length; w++)
        {
            state = Step(state);
            words[w] = BinaryPrimitives.ReverseEndianness(state * Multiplier);
        }

        return state;
    }

    private static ulong Step(ulong state)
    {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return state;
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
        _state = Step(_state);
        return _state * Multiplier;
    }
}
