using System.Globalization;
using System.Text.Json;

namespace Bench;

/// <summary>
/// requests-futures' own ProcessPoolExecutor on the same server and load as ours (small body,
/// concurrency 16, 2 workers), when a Python with requests and requests-futures is here; skipped otherwise.
/// </summary>
internal sealed partial class Scenarios
{
    public const string RequestsFuturesPath = SmallPath;
    public const int RequestsFuturesConcurrency = 16;
    private const string RequestsFuturesScript = "requests_futures_bench.py";
    private static readonly TimeSpan s_probeTimeout = TimeSpan.FromSeconds(20);

    public async Task<RequestsFuturesResult> RequestsFuturesAsync()
    {
        string setup = $"FuturesSession(executor=ProcessPoolExecutor(max_workers={PoolWorkers}), session=Session()), {RequestsFuturesConcurrency} in flight";
        string[] candidates = _settings.Python is { } python ? [python] : ["python3", "/usr/bin/python3"];
        string? found = null;
        foreach (string candidate in candidates)
        {
            (int exitCode, _) = await RunPythonAsync(candidate, ["-c", "import requests, requests_futures"], s_probeTimeout);
            if (exitCode == 0)
            {
                found = candidate;
                break;
            }
        }

        if (found is null)
        {
            string reason = $"skipped: requests-futures not installed (no 'import requests, requests_futures' in {string.Join(", ", candidates)})";
            Progress($"requests-futures: {reason}");
            return RequestsFuturesResult.Skipped(reason, setup);
        }

        Progress($"requests-futures: {found}, {setup}");
        string script = Path.Combine(AppContext.BaseDirectory, RequestsFuturesScript);
        string[] arguments =
        [
            script,
            _server.Url(RequestsFuturesPath),
            RequestsFuturesConcurrency.ToString(CultureInfo.InvariantCulture),
            PoolWorkers.ToString(CultureInfo.InvariantCulture),
            _settings.WarmUp.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            _settings.Measure.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            "100",
        ];
        (int code, string output) = await RunPythonAsync(found, arguments, _settings.WarmUp + _settings.Measure + TimeSpan.FromSeconds(90));
        string? last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (code != 0 || last is null || !last.StartsWith('{'))
        {
            return RequestsFuturesResult.Failed($"'{found} {RequestsFuturesScript}' exited with {code}: {output.Trim()}", found, setup);
        }

        using var document = JsonDocument.Parse(last);
        JsonElement root = document.RootElement;
        return new RequestsFuturesResult(
            Ran: true,
            SkipReason: null,
            found,
            setup,
            RequestsFuturesConcurrency,
            root.GetProperty("requests").GetInt64(),
            root.GetProperty("errors").GetInt64(),
            root.GetProperty("first_error").GetString(),
            root.GetProperty("requests_per_second").GetDouble(),
            ReadNumber(root.GetProperty("p50_microseconds")));
    }

    /// <summary>The script writes null when there is no value.</summary>
    private static double ReadNumber(JsonElement element) =>
        element.ValueKind == JsonValueKind.Number ? element.GetDouble() : double.NaN;

    /// <summary>Runs Python; returns its exit code (-1 when it could not start or timed out) and its stdout and stderr.</summary>
    private static async Task<(int ExitCode, string Output)> RunPythonAsync(string python, string[] arguments, TimeSpan timeout)
    {
        (int exitCode, string output, string error) = await ChildRun.RunAsync(python, arguments, timeout);
        return (exitCode, output + error);
    }
}
