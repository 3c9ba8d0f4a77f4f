using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>What makes options and headers valid: every problem found is reported, in one exception.</summary>
internal static partial class RequestPreparer
{
    /// <summary>Checks a session's options; every problem is reported in one exception.</summary>
    public static void ValidateSession(SessionOptions options, string paramName)
    {
        List<string> problems = SessionProblems(options);
        if (problems.Count > 0)
        {
            throw new ArgumentException($"The session options are not valid: {string.Join(" ", problems)}", paramName);
        }
    }

    /// <summary>Every problem with a session's options; empty when they are valid.</summary>
    public static List<string> SessionProblems(SessionOptions options)
    {
        var problems = new List<string>();
        if (options.BaseAddress is { } baseAddress && !IsHttp(baseAddress))
        {
            problems.Add($"BaseAddress '{baseAddress}' must be an absolute http or https URL.");
        }

        if (options.Proxy is { IsAbsoluteUri: false } proxy)
        {
            problems.Add($"Proxy '{proxy}' must be an absolute URL.");
        }

        if (options.Timeout is { } timeout && TimeoutProblem(timeout) is { } timeoutProblem)
        {
            problems.Add(timeoutProblem);
        }

        if (options.MaxRedirects < 0)
        {
            problems.Add($"MaxRedirects '{options.MaxRedirects}' must be 0 or more.");
        }

        if (options.BasicAuth is not null && options.BearerToken is not null)
        {
            problems.Add("BasicAuth and BearerToken are both set; set one of them.");
        }

        if (options.MaxBufferedContentBytes is <= 0 or > SessionOptions.DefaultMaxBufferedContentBytes)
        {
            problems.Add($"MaxBufferedContentBytes '{options.MaxBufferedContentBytes}' must be between 1 and {SessionOptions.DefaultMaxBufferedContentBytes} (the most one array holds); for larger bodies use RequestOptions.Stream or DownloadTo.");
        }

        if (options.Headers is null || options.Cookies is null)
        {
            problems.Add("Headers and Cookies may be empty but not null.");
        }
        else
        {
            AddHeaderProblems(options.Headers, problems);
        }

        return problems;
    }

    private static void AddHeaderProblems(IDictionary<string, string> headers, List<string> problems)
    {
        foreach (KeyValuePair<string, string> header in headers)
        {
            if ((HeaderRules.ProblemWithName(header.Key) ?? HeaderRules.ProblemWithValue(header.Key, header.Value)) is { } problem)
            {
                problems.Add(problem);
            }
        }
    }

    private static string? TimeoutProblem(TimeSpan timeout) =>
        timeout == Timeout.InfiniteTimeSpan || (timeout > TimeSpan.Zero && timeout.TotalMilliseconds <= int.MaxValue)
            ? null
            : $"The timeout '{timeout}' must be positive (and under 24.8 days), or Timeout.InfiniteTimeSpan for none.";

    private static bool IsHttp(Uri uri) => uri.IsAbsoluteUri && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);

    /// <summary>The policy as the protocol carries it, if it is valid; throws with every problem otherwise.</summary>
    private static RetrySettings? ToRetrySettings(RetryPolicy? policy)
    {
        if (policy is null)
        {
            return null;
        }

        var problems = new List<string>();
        if (policy.MaxRetries is < 0 or > 100)
        {
            problems.Add($"MaxRetries '{policy.MaxRetries}' must be between 0 and 100.");
        }

        if (policy.BaseDelay < TimeSpan.Zero || policy.MaxDelay < TimeSpan.Zero)
        {
            problems.Add($"BaseDelay '{policy.BaseDelay}' and MaxDelay '{policy.MaxDelay}' must not be negative.");
        }

        if (policy.AttemptTimeout is { } attempt && attempt <= TimeSpan.Zero)
        {
            problems.Add($"AttemptTimeout '{attempt}' must be positive, or null for none.");
        }

        if (policy.StatusCodes is null || policy.Methods is null)
        {
            problems.Add("StatusCodes and Methods may be empty but not null.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException($"The retry policy is not valid: {string.Join(" ", problems)}", "options");
        }

        var settings = new RetrySettings
        {
            MaxRetries = policy.MaxRetries,
            BaseDelayTicks = policy.BaseDelay.Ticks,
            RespectRetryAfter = policy.RespectRetryAfter,
            AttemptTimeoutTicks = policy.AttemptTimeout?.Ticks ?? 0,
            MaxDelayTicks = policy.MaxDelay.Ticks,
        };
        settings.StatusCodes.AddRange(policy.StatusCodes);
        settings.Methods.AddRange(policy.Methods);
        return settings;
    }
}
