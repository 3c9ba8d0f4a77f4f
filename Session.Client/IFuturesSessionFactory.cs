namespace ProcessFutures;

/// <summary>
/// Makes <see cref="FuturesSession"/>s configured with
/// <c>services.AddFuturesSession(name, …)</c>, as <c>IHttpClientFactory</c> makes named clients.
/// Sessions of one name share its executor, a singleton the container owns (and disposes, with
/// its workers, when it is disposed asynchronously); each session gets its own copy of the
/// options and its own cookies. Dispose a session when done with it, to cancel what it queued.
/// </summary>
public interface IFuturesSessionFactory
{
    /// <summary>Creates a session configured under <paramref name="name"/>.</summary>
    /// <param name="name">The name given to <c>AddFuturesSession</c>.</param>
    /// <returns>A new session on the name's shared executor.</returns>
    /// <exception cref="InvalidOperationException">No session was added under <paramref name="name"/>.</exception>
    FuturesSession CreateSession(string name);
}
