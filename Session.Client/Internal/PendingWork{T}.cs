using Session.Contracts;
using Session.Contracts.Internal;

namespace Session.Client.Internal;

/// <summary>Work whose task yields a <typeparamref name="T"/>: the Response itself, or a callback's result.</summary>
internal sealed class PendingWork<T> : PendingWork
{
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Func<Response, T>? _localCallback;
    private readonly Type? _remoteResultType;

    public PendingWork(FuturesSession session, HttpRequestData request, Func<Response, T>? callback, CallbackReference? remoteCallback, CancellationToken cancellationToken)
        : base(session, request, remoteCallback, cancellationToken)
    {
        if (remoteCallback is null)
        {
            _localCallback = callback;
        }
        else
        {
            // The result comes back as the method's own return type (it may be more derived than T).
            _remoteResultType = callback!.Method.ReturnType;
        }
    }

    public Task<T> Task => _completion.Task;

    public override Type? RemoteResultType => _remoteResultType;

    protected override void SetResponse(Response response)
    {
        if (_localCallback is not null)
        {
            _completion.TrySetResult(_localCallback(response));
        }
        else
        {
            // Only reached for T = Response: FuturesSession creates callback-less work that way.
            _completion.TrySetResult((T)(object)response);
        }
    }

    protected override void SetResult(object? value) => _completion.TrySetResult((T)value!);

    protected override void SetException(Exception exception) => _completion.TrySetException(exception);

    protected override void SetCanceled(CancellationToken token) => _completion.TrySetCanceled(token);
}
