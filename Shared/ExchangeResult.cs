namespace Session.Shared;

/// <summary>The final response of an exchange (headers read, body not), its URL, and the time to its headers.</summary>
internal readonly record struct ExchangeResult(HttpResponseMessage Response, Uri Url, TimeSpan Elapsed);
