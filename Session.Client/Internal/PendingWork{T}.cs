
namespace ProcessFutures.Internal;

/// <summary>Work whose task yields a <typeparamref name="T"/>: the Response itself, or a callback's result.</summary>
internal sealed class PendingWork<T> : PendingWork
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Func<Response, T>? _callback;
    private readonly Func<Response, CancellationToken, Task<T>>? _asyncCallback;
    private readonly Type? _remoteResultType;

    public PendingWork(SessionContext session, PreparedRequest prepared, Delegate? callback, CallbackReference? remoteCallback, IProgress<TransferProgress>? progress, CancellationToken cancellationToken)
        : base(session, prepared, remoteCallback, progress, cancellationToken)
    {
        HasCallback = callback is not null;
        if (remoteCallback is not null)
        {
            _remoteResultType = remoteCallback.ResultType;
        }
        else
        {
            _callback = callback as Func<Response, T>;
            _asyncCallback = callback as Func<Response, CancellationToken, Task<T>>;
        }
    }

    public Task<T> Task => _completion.Task;

    public override Type? RemoteResultType => _remoteResultType;

    public override bool HasCallback { get; }

    public override async Task<object?> RunLocallyAsync(Response response, CancellationToken callbackToken)
    {
        if (_callback is not null)
        {
            return _callback(response);
        }

        if (_asyncCallback is not null)
        {
            return await _asyncCallback(response, callbackToken).ConfigureAwait(false);
        }

        return response;
    }

    protected override void SetOutcome(Outcome outcome)
    {
        if (outcome.IsCanceled)
        {
            _completion.TrySetCanceled(outcome.CanceledBy);
        }
        else if (outcome.Exception is { } exception)
        {
            _completion.TrySetException(exception);
        }
        else if (outcome.Result is T value)
        {
            _completion.TrySetResult(value);
        }
        else if (outcome.Result is null && default(T) is null)
        {
            _completion.TrySetResult(default!);
        }
        else
        {
            _completion.TrySetException(new InvalidCastException(
                $"A result of type '{outcome.Result?.GetType().FullName ?? "null"}' cannot be the result of a Task<{typeof(T).FullName}>."));
        }
    }
}
