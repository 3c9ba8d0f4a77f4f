using System.Buffers;

namespace Session.Shared;

/// <summary>
/// Collects bytes arriving in pieces (a body being read, chunks from a worker, a serializer's
/// output). When the final length is known, the one result array is allocated up front and
/// filled in place, so <see cref="ToArray"/> copies nothing. Otherwise bytes go into pooled
/// segments that grow geometrically (none larger than 1 MiB) and are copied once at the end,
/// or sent out segment by segment with <see cref="Segments"/>, never as one large array.
/// </summary>
internal sealed class BodyBuffer : IBufferWriter<byte>, IDisposable
{
    private const int FirstSegmentSize = 16 * 1024;
    private const int MaxSegmentSize = 1024 * 1024;

    private readonly List<(byte[] Array, int Used)> _full = [];
    private readonly byte[]? _exact;
    private byte[] _current;
    private int _used;
    private long _length;

    /// <param name="expectedLength">The final length if known, else -1.</param>
    public BodyBuffer(long expectedLength = -1)
    {
        if (expectedLength > 0 && expectedLength <= Array.MaxLength)
        {
            _exact = new byte[expectedLength];
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
        _used += count;
        _length += count;
        if (_length > Array.MaxLength)
        {
            throw new InvalidOperationException($"The data is larger than {Array.MaxLength} bytes, the most one array (a Response's content, a callback's result) can hold.");
        }
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

    public async Task ReadFromAsync(Stream stream, CancellationToken cancellationToken)
    {
        while (true)
        {
            int read = await stream.ReadAsync(GetMemory(), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            Advance(read);
        }
    }

    public byte[] ToArray()
    {
        if (_exact is not null && _full.Count == 0 && _used == _exact.Length)
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

    private void Return(byte[] array)
    {
        // The exact array is the caller's result, not the pool's.
        if (array.Length > 0 && array != _exact)
        {
            ArrayPool<byte>.Shared.Return(array);
        }
    }
}
