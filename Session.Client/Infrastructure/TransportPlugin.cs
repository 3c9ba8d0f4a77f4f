using System.ComponentModel;

namespace ProcessFutures.Infrastructure;

/// <summary>
/// Infrastructure (see <see cref="MessageStream"/>): what ProcessFutures.Remote adds to a local
/// pool and to a worker process: the gRPC transport (<see cref="WorkerTransport.Grpc"/>) and the
/// remote worker host (<c>--remote</c>). ProcessFutures finds it by name when one of them is asked
/// for, so that an app that asks for neither needs neither gRPC nor ASP.NET Core.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class TransportPlugin
{
    /// <summary>The type ProcessFutures looks for, in the ProcessFutures.Remote assembly.</summary>
    public const string TypeName = "ProcessFutures.Internal.GrpcTransportPlugin, ProcessFutures.Remote";

    private static readonly Lazy<TransportPlugin?> s_found = new(Load);

    /// <summary>The plugin, when the app carries ProcessFutures.Remote; otherwise null.</summary>
    public static TransportPlugin? Find() => s_found.Value;

    /// <summary>The client's side of a local worker on gRPC over its Unix socket.</summary>
    /// <param name="socketPath">The worker's socket.</param>
    /// <param name="token">The pool's token.</param>
    /// <returns>A connector for the worker's slots.</returns>
    public abstract WorkerConnector ConnectLocal(string socketPath, string token);

    /// <summary>Serves a local pool on gRPC over a Unix socket, until the process exits.</summary>
    /// <param name="socketPath">Where to listen.</param>
    /// <param name="token">The token every call must carry.</param>
    /// <param name="server">The worker's protocol side.</param>
    /// <returns>The process's exit code.</returns>
    public abstract int RunLocalWorker(string socketPath, string token, WorkerServer server);

    /// <summary>Runs a remote worker (<c>--remote</c>) until it is told to stop.</summary>
    /// <param name="args">The process's arguments.</param>
    /// <returns>The process's exit code.</returns>
    public abstract int RunRemoteWorker(string[] args);

    /// <summary>The message for an app that asked for what only ProcessFutures.Remote brings.</summary>
    /// <param name="what">What was asked for.</param>
    /// <returns>A sentence that says what to add.</returns>
    public static string Missing(string what) =>
        $"{what} comes with the ProcessFutures.Remote package, which this app does not reference: add it ('dotnet add package ProcessFutures.Remote'), or use the default socket transport.";

    private static TransportPlugin? Load()
    {
        Type? type;
        try
        {
            type = Type.GetType(TypeName, throwOnError: false);
        }
        catch (Exception exception) when (exception is FileLoadException or BadImageFormatException)
        {
            return null;
        }

        return type is null ? null : (TransportPlugin?)Activator.CreateInstance(type);
    }
}
