using System.Net.Http.Headers;
using Polly;
using Polly.Retry;
using Polly.Timeout;
using ProcessFutures.Protocol;

namespace ProcessFutures.Internal;

/// <summary>
/// An exchange with the request's <see cref="RetryPolicy"/>, carried out with Polly where the
/// request runs: a retry costs no hop to the caller, and the body is read and the callback run
/// once, on the final attempt. Without a policy (the default) it is the plain exchange.
/// </summary>
internal static class ResilientExchange
{
    /// <summary>
    /// Sends the request, with retries if its policy asks for them. Without one, Polly is not
    /// touched (nor loaded: a worker that never retries does not pay for it at start).
    /// </summary>
    public static Task<ExchangeResult> SendAsync(HttpClient client, HttpRequest request, RequestBody body, CookieJar jar, ProgressTracker? progress, CancellationToken cancellationToken)
    {
        RetrySettings? policy = request.Retry;
        return policy is null || policy.MaxRetries <= 0 || !policy.Methods.Contains(request.Method, StringComparer.OrdinalIgnoreCase)
            ? HttpExchange.SendAsync(client, request, body, jar, progress, cancellationToken)
            : SendWithRetriesAsync(policy, client, request, body, jar, progress, cancellationToken);
    }

    private static async Task<ExchangeResult> SendWithRetriesAsync(RetrySettings policy, HttpClient client, HttpRequest request, RequestBody body, CookieJar jar, ProgressTracker? progress, CancellationToken cancellationToken)
    {
        ResiliencePipeline<ExchangeResult> pipeline = Build(policy, canResend: !body.IsFile);
        int attempts = 0;
        try
        {
            ExchangeResult result = await pipeline.ExecuteAsync(
                async token =>
                {
                    attempts++;
                    return await HttpExchange.SendAsync(client, request, body, jar, progress, token).ConfigureAwait(false);
                },
                cancellationToken).ConfigureAwait(false);
            return result with { Attempts = attempts };
        }
        catch (TimeoutRejectedException exception)
        {
            string message = $"The request was canceled: each of its {attempts} attempt(s) ran past RetryPolicy.AttemptTimeout ({TimeSpan.FromTicks(policy.AttemptTimeoutTicks).TotalSeconds:0.###} s).";
            throw new TaskCanceledException(message, new TimeoutException(message, exception));
        }
        catch (HttpRequestException exception) when (body.IsFile)
        {
            throw new HttpRequestException(
                exception.HttpRequestError,
                $"{exception.Message} It was not retried: its body is streamed from a file (RequestOptions.UploadFrom), which a RetryPolicy does not send twice.",
                exception,
                exception.StatusCode);
        }
    }

    private static ResiliencePipeline<ExchangeResult> Build(RetrySettings policy, bool canResend)
    {
        var builder = new ResiliencePipelineBuilder<ExchangeResult>().AddRetry(new RetryStrategyOptions<ExchangeResult>
        {
            MaxRetryAttempts = policy.MaxRetries,
            Delay = TimeSpan.FromTicks(policy.BaseDelayTicks),
            MaxDelay = TimeSpan.FromTicks(policy.MaxDelayTicks),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            ShouldHandle = args => ValueTask.FromResult(canResend && ShouldRetry(policy, args.Outcome)),
            DelayGenerator = args => ValueTask.FromResult(policy.RespectRetryAfter ? RetryAfter(args.Outcome) : null),
            OnRetry = args =>
            {
                // The answer that is retried is not read: release its connection.
                args.Outcome.Result.Response?.Dispose();
                return default;
            },
        });
        if (policy.AttemptTimeoutTicks > 0)
        {
            builder.AddTimeout(TimeSpan.FromTicks(policy.AttemptTimeoutTicks));
        }

        return builder.Build();
    }

    private static bool ShouldRetry(RetrySettings policy, Outcome<ExchangeResult> outcome)
    {
        if (outcome.Exception is not null)
        {
            return outcome.Exception is HttpRequestException or TimeoutRejectedException;
        }

        HttpResponseMessage response = outcome.Result.Response;
        if (!policy.StatusCodes.Contains((int)response.StatusCode))
        {
            return false;
        }

        // A server asking for a longer wait than MaxDelay gets its answer returned, not a retry.
        return !policy.RespectRetryAfter || RetryAfter(outcome) is not { } wait || wait.Ticks <= policy.MaxDelayTicks;
    }

    /// <summary>The wait a 429/503's Retry-After asks for (seconds, or a date), if any.</summary>
    private static TimeSpan? RetryAfter(Outcome<ExchangeResult> outcome)
    {
        RetryConditionHeaderValue? retryAfter = outcome.Result.Response?.Headers.RetryAfter;
        if (retryAfter?.Delta is { } delta)
        {
            return delta;
        }

        if (retryAfter?.Date is { } date)
        {
            TimeSpan wait = date - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }

        return null;
    }
}
