using Microsoft.Extensions.Options;
using ProcessFutures;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Makes sessions on their name's shared executor, each with its own copy of the name's options.</summary>
internal sealed class FuturesSessionFactory(IServiceProvider provider, IOptionsMonitor<SessionOptions> options) : IFuturesSessionFactory
{
    public FuturesSession CreateSession(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        IRequestExecutor executor = provider.GetKeyedService<IRequestExecutor>(name)
            ?? throw new InvalidOperationException($"No FuturesSession named '{name}' was added: call services.AddFuturesSession(\"{name}\", …) first.");
        return new FuturesSession(executor, options: SessionOptionsCopy.Of(options.Get(name)));
    }
}
