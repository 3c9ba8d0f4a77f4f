using System.Diagnostics;
using System.Reflection;

namespace ProcessFutures.Internal;

/// <summary>
/// The names ProcessFutures' telemetry goes by: one <see cref="ActivitySource"/> and one
/// <see cref="System.Diagnostics.Metrics.Meter"/>, both named <see cref="Name"/>, and the
/// attribute names (OpenTelemetry's HTTP ones where one applies).
/// </summary>
internal static class ProcessFuturesTelemetry
{
    public const string Name = "ProcessFutures";

    public const string ExecutorAttribute = "processfutures.executor";
    public const string WorkerPidAttribute = "processfutures.worker.pid";
    public const string WorkerStateAttribute = "processfutures.worker.state";
    public const string ExitReasonAttribute = "processfutures.worker.exit_reason";
    public const string MethodAttribute = "http.request.method";
    public const string StatusCodeAttribute = "http.response.status_code";
    public const string ErrorTypeAttribute = "error.type";
    public const string ServerAddressAttribute = "server.address";
    public const string ServerPortAttribute = "server.port";
    public const string UrlAttribute = "url.full";

    public static readonly string Version = typeof(ProcessFuturesTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static readonly ActivitySource Source = new(Name, Version);

    /// <summary>
    /// A URL as System.Net.Http shows it in telemetry: the query replaced by <c>*</c>, user info and
    /// fragment removed (query values can carry secrets).
    /// </summary>
    public static string Redact(Uri url)
    {
        if (!url.IsAbsoluteUri)
        {
            return url.OriginalString.Split('?', 2) is [string path, _] ? path + "?*" : url.OriginalString;
        }

        string withoutQuery = url.GetComponents(UriComponents.SchemeAndServer | UriComponents.Path, UriFormat.UriEscaped);
        return url.Query.Length > 1 ? withoutQuery + "?*" : withoutQuery;
    }
}
