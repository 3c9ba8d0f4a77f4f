using ProcessFutures;
using ProcessFutures.Internal;
using ProcessFutures.Protocol;

namespace Session.Tests.Client.Internal;

/// <summary>Pending work for the state-machine tests: a prepared GET, nothing sent.</summary>
internal static class WorkItems
{
    public static SessionContext Session() => new(new SessionOptions(), wrappedClient: null);

    public static PendingWork<Response> Create(SessionContext session, CancellationToken cancellationToken = default, TimeSpan? timeout = null)
    {
        var request = new HttpRequest
        {
            Method = "GET",
            Url = "http://127.0.0.1:1/",
            AllowRedirects = true,
            Transport = session.Transport,
        };
        session.Enter(null!);
        return new PendingWork<Response>(session, new PreparedRequest(request, null, null, null, timeout ?? TimeSpan.FromSeconds(1)), callback: null, remoteCallback: null, progress: null, cancellationToken);
    }
}
