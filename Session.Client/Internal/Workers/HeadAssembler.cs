using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>Puts a response head back together from its pieces (one, usually; many for a server that sets thousands of cookies).</summary>
internal sealed class HeadAssembler : IDisposable
{
    /// <summary>A head larger than this is not a head a server could have sent through a worker's HTTP client.</summary>
    private const long MaxHeadLength = 64L * 1024 * 1024;

    private BodyBuffer? _pieces;

    public ResponseHead? Head { get; private set; }

    /// <summary>Takes the frame's head piece, if any; true when this frame completed the head.</summary>
    public bool Add(WorkerFrame frame, int processId)
    {
        if (frame.Head.IsEmpty)
        {
            return false;
        }

        if (Head is not null)
        {
            throw new InvalidDataException($"Worker {processId} sent a second response head in one answer.");
        }

        if (frame.HeadComplete && _pieces is null)
        {
            Head = ContractSerializer.FromBytes<ResponseHead>(frame.Head.Memory);
            return true;
        }

        _pieces ??= new BodyBuffer();
        if (_pieces.Length + frame.Head.Length > MaxHeadLength)
        {
            throw new InvalidDataException($"Worker {processId} sent a response head of more than {MaxHeadLength} bytes.");
        }

        _pieces.Write(frame.Head.Span);
        if (!frame.HeadComplete)
        {
            return false;
        }

        Head = ContractSerializer.FromBytes<ResponseHead>(_pieces.ToArray());
        _pieces.Dispose();
        _pieces = null;
        return true;
    }

    public void Dispose() => _pieces?.Dispose();
}
