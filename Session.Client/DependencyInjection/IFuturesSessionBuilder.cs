namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures a named <see cref="ProcessFutures.FuturesSession"/>, as <c>IHttpClientBuilder</c> configures a named HttpClient.</summary>
public interface IFuturesSessionBuilder
{
    /// <summary>The session's name, as given to <c>AddFuturesSession</c> and <see cref="ProcessFutures.IFuturesSessionFactory.CreateSession"/>.</summary>
    string Name { get; }

    /// <summary>The services the session is registered in.</summary>
    IServiceCollection Services { get; }
}
