
namespace ProcessFutures.Internal;

/// <summary>
/// One long-lived HttpClient (and connection pool) per distinct <see cref="TransportSettings"/>,
/// built on first use and kept for the worker's life. See TransportSettings for why sessions with
/// equal settings share one: the handler keeps no cookies, and the count stays bounded.
/// </summary>
internal sealed class HttpClientCache : IDisposable
{
    private readonly Dictionary<TransportSettings, HttpClient> _clients = [];
    private readonly Lock _lock = new();

    public HttpClient Get(TransportSettings transport)
    {
        lock (_lock)
        {
            if (!_clients.TryGetValue(transport, out HttpClient? client))
            {
                client = HttpExchange.CreateClient(transport);
                _clients.Add(transport, client);
            }

            return client;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (HttpClient client in _clients.Values)
            {
                client.Dispose();
            }

            _clients.Clear();
        }
    }
}
