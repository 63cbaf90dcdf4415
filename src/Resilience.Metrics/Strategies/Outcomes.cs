using System.Net;
using System.Net.Sockets;
using Polly;
using Polly.Timeout;

namespace Resilience.Metrics;

/// <summary>How the strategies judge an outcome: failure, transient, error category and type.</summary>
/// <remarks>
/// Results are inspected only when they are <see cref="HttpResponseMessage"/>s (a status of 400 or more is a
/// failure); any other result type succeeds unless an exception was thrown.
/// </remarks>
internal static class Outcomes
{
    public static int? StatusCode<T>(Outcome<T> outcome) =>
        outcome.Result is HttpResponseMessage response ? (int)response.StatusCode : null;

    /// <summary>An exception, or a response of status 400 or more; <paramref name="response"/> is the result when it is one.</summary>
    public static bool IsFailure<T>(Outcome<T> outcome, out HttpResponseMessage? response)
    {
        // One type test of the result serves both questions.
        response = outcome.Result as HttpResponseMessage;
        return outcome.Exception is not null || response is { StatusCode: >= HttpStatusCode.BadRequest };
    }

    /// <summary>Worth retrying, and counted by the circuit breaker: 408, 429, 5xx, network errors, attempt timeouts.</summary>
    public static bool IsTransient<T>(Outcome<T> outcome) => outcome.Exception switch
    {
        null => outcome.Result is HttpResponseMessage { StatusCode: HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError },
        HttpRequestException or TimeoutRejectedException or SocketException or TimeoutException => true,
        IOException { InnerException: SocketException } => true,
        _ => false,
    };

    /// <param name="outcome">The failed outcome.</param>
    /// <param name="context">Its context, whose token says whether the request was cancelled from outside.</param>
    /// <param name="elapsed">How long the request ran (for <paramref name="httpClientTimeout"/>).</param>
    /// <param name="httpClientTimeout">The HttpClient's own timeout, when the pipeline runs in one: its token is linked
    /// to the caller's, so its expiry looks like a caller's cancellation (see <see cref="HttpClientTimeout"/>).</param>
    public static (ErrorCategory Category, string Type) Classify<T>(Outcome<T> outcome, ResilienceContext context, TimeSpan elapsed = default, TimeSpan? httpClientTimeout = null)
    {
        var callerCancelled = outcome.Exception is OperationCanceledException && context.CancellationToken.IsCancellationRequested;
        return Classify(StatusCode(outcome), outcome.Exception, callerCancelled, elapsed, httpClientTimeout);
    }

    /// <summary>Classifies a failure from its parts (a streamed body's failure comes long after its outcome and context).</summary>
    public static (ErrorCategory Category, string Type) Classify(int? status, Exception? exception, bool callerCancelled, TimeSpan elapsed, TimeSpan? httpClientTimeout)
    {
        var type = ErrorClassifier.GetErrorType(status, exception);
        if (callerCancelled && HttpClientTimeout.Explains(httpClientTimeout, elapsed))
        {
            return (ErrorCategory.Timeout, type);
        }

        return (ErrorClassifier.Classify(status, exception, callerCancelled), type);
    }

    /// <summary>
    /// The delay a 429 or 503 response asks for: <c>retry-after-ms</c> (OpenAI's, Azure's) before <c>Retry-After</c>
    /// (seconds or an HTTP date), read as the rate-limit headers are (the same parsers and bounds, no header parsing of
    /// the validated kind); null when neither says.
    /// </summary>
    public static TimeSpan? RetryAfter<T>(Outcome<T> outcome, TimeProvider time)
    {
        if (outcome.Result is not HttpResponseMessage { StatusCode: HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable } response)
        {
            return null;
        }

        var headers = response.Headers.NonValidated;
        if (headers.TryGetValues("retry-after-ms", out var milliseconds) && RateLimitValues.TryParseMilliseconds(RateLimits.First(milliseconds), out var ticks))
        {
            return TimeSpan.FromTicks(ticks);
        }

        if (headers.TryGetValues("Retry-After", out var values) && RateLimitValues.TryParseRetryAfter(RateLimits.First(values), out ticks, out var relative))
        {
            return TimeSpan.FromTicks(relative ? ticks : Math.Max(0, ticks - time.GetUtcNow().UtcTicks));
        }

        return null;
    }
}
