namespace ProcessFutures.Internal;

/// <summary>The final response of an exchange (headers read, body not), its URL, the time to its headers, and how many attempts it took.</summary>
internal readonly record struct ExchangeResult(HttpResponseMessage Response, Uri Url, TimeSpan Elapsed, int Attempts = 1);
