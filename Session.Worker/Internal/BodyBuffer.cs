using System.Buffers;

namespace ProcessFutures.Internal;

/// <summary>
/// Collects bytes arriving in pieces (a body being read, chunks from a worker, a serializer's
/// output) and makes one array of them, or hands them out segment by segment.
/// </summary>
/// <remarks>
/// An announced length is the peer's word, not a reason to allocate: it is trusted up front only
/// up to <see cref="TrustedLength"/>. Beyond that, bytes go into pooled segments (none larger than
/// 1 MiB) until half the announced length has actually arrived; only then is the one result array
/// allocated and the segments moved into it, so an honest large body costs one copy of its first
/// half, and a lying peer (a HEAD of a 1.5 GB file, a body cut short) makes this allocate at most
/// twice what it really sent.
/// </remarks>
internal sealed class BodyBuffer : IBufferWriter<byte>, IDisposable
{
    /// <summary>The largest announced length allocated before any byte arrives.</summary>
    public const int TrustedLength = 1024 * 1024;

    private const int FirstSegmentSize = 16 * 1024;
    private const int MaxSegmentSize = 1024 * 1024;

    private readonly List<(byte[] Array, int Used)> _full = [];
    private readonly long _expected;
    private byte[]? _exact;
    private byte[] _current;
    private int _used;
    private long _length;

    /// <param name="expectedLength">The announced final length, or -1.</param>
    public BodyBuffer(long expectedLength = -1)
    {
        _expected = expectedLength > 0 && expectedLength <= Array.MaxLength ? expectedLength : -1;
        if (_expected > 0 && _expected <= TrustedLength)
        {
            _exact = new byte[_expected];
            _current = _exact;
        }
        else
        {
            _current = [];
        }
    }

    public long Length => _length;

    /// <summary>The written bytes, in order, segment by segment.</summary>
    public IEnumerable<ReadOnlyMemory<byte>> Segments
    {
        get
        {
            foreach ((byte[] array, int used) in _full)
            {
                yield return array.AsMemory(0, used);
            }

            if (_used > 0)
            {
                yield return _current.AsMemory(0, _used);
            }
        }
    }

    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        if (_current.Length - _used < Math.Max(sizeHint, 1))
        {
            NextSegment(sizeHint);
        }

        return _current.AsMemory(_used);
    }

    public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _current.Length - _used);
        if (_length + count > Array.MaxLength)
        {
            throw new InvalidOperationException($"The data is larger than {Array.MaxLength} bytes, the most one array (a Response's content, a callback's result) can hold.");
        }

        _used += count;
        _length += count;
    }

    public void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            Span<byte> target = GetSpan();
            int count = Math.Min(target.Length, data.Length);
            data[..count].CopyTo(target);
            Advance(count);
            data = data[count..];
        }
    }

    public byte[] ToArray()
    {
        if (_exact is not null && _full.Count == 0 && _current == _exact && _used == _exact.Length)
        {
            return _exact;
        }

        if (_length == 0)
        {
            return [];
        }

        var result = new byte[_length];
        int offset = 0;
        foreach (ReadOnlyMemory<byte> segment in Segments)
        {
            segment.Span.CopyTo(result.AsSpan(offset));
            offset += segment.Length;
        }

        return result;
    }

    public void Dispose()
    {
        foreach ((byte[] array, _) in _full)
        {
            Return(array);
        }

        _full.Clear();
        Return(_current);
        _current = [];
        _used = 0;
    }

    private void NextSegment(int sizeHint)
    {
        if (_exact is null && _expected > 0 && _length >= _expected / 2 && _length < _expected && sizeHint <= _expected - _length)
        {
            // Half the announced body is here: the rest is likely to come, so make the result array now.
            MoveIntoExact();
            return;
        }

        if (_used > 0)
        {
            _full.Add((_current, _used));
        }
        else
        {
            Return(_current);
        }

        int size = (int)Math.Max(Math.Clamp(_length, FirstSegmentSize, MaxSegmentSize), sizeHint);
        _current = ArrayPool<byte>.Shared.Rent(size);
        _used = 0;
    }

    private void MoveIntoExact()
    {
        byte[] exact = new byte[_expected];
        int offset = 0;
        foreach (ReadOnlyMemory<byte> segment in Segments)
        {
            segment.Span.CopyTo(exact.AsSpan(offset));
            offset += segment.Length;
        }

        foreach ((byte[] array, _) in _full)
        {
            Return(array);
        }

        _full.Clear();
        Return(_current);
        _exact = exact;
        _current = exact;
        _used = offset;
    }

    private void Return(byte[] array)
    {
        // The exact array is the caller's result, not the pool's.
        if (array.Length > 0 && array != _exact)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
