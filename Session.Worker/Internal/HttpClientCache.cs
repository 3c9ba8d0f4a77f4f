
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// One long-lived HttpClient (and connection pool) per distinct <see cref="TransportSettings"/>,
/// built on first use and kept for the worker's life, as <c>IHttpClientFactory</c> shares handlers:
/// the handler keeps no cookies, so nothing leaks between sessions. The settings come from
/// clients, so the count is bounded: past <see cref="MaxClients"/> distinct settings a request is
/// refused rather than a client made.
/// </summary>
internal sealed class HttpClientCache : IDisposable
{
    private readonly Dictionary<TransportSettings, HttpClient> _clients = [];
    private readonly Lock _lock = new();

    /// <summary>The most distinct transport settings one worker serves.</summary>
    public const int MaxClients = 64;

    public HttpClient Get(TransportSettings transport)
    {
        lock (_lock)
        {
            if (!_clients.TryGetValue(transport, out HttpClient? client))
            {
                if (_clients.Count >= MaxClients)
                {
                    throw new InvalidOperationException($"This worker already serves {MaxClients} sessions of distinct TLS and proxy settings, the most it keeps connections for; it refused one more.");
                }

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
