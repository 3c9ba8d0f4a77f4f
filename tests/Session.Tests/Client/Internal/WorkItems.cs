using ProcessFutures.Internal;
using ProcessFutures;

namespace Session.Tests.Client.Internal;

/// <summary>Pending work for the state-machine tests: a prepared GET, nothing sent.</summary>
internal static class WorkItems
{
    public static SessionContext Session() => new(new SessionOptions(), wrappedClient: null);

    public static PendingWork<Response> Create(SessionContext session, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestData
        {
            Method = "GET",
            Url = "http://127.0.0.1:1/",
            Headers = [],
            Cookies = [],
            Timeout = TimeSpan.FromSeconds(1),
            AllowRedirects = true,
            MaxRedirects = 0,
            Transport = new TransportSettings(VerifyTls: true, Proxy: null),
        };
        session.Enter(null!);
        return new PendingWork<Response>(session, request, callback: null, remoteCallback: null, progress: null, cancellationToken);
    }
}
