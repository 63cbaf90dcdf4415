using System.Globalization;
using System.Net.Sockets;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Resilience.Metrics;

/// <summary>
/// Puts a failed request into one of the guide's error categories and names its OpenTelemetry
/// <c>error.type</c>.
/// </summary>
/// <remarks>
/// <para>
/// Order of the rules: the HTTP status code first (the one given, else one carried by an
/// <see cref="HttpRequestException.StatusCode"/> in the exception chain), then typed exception rules
/// (Polly circuit breaker and timeout, <see cref="TimeoutException"/>, <see cref="SocketException"/>,
/// <see cref="HttpRequestException.HttpRequestError"/>) over the exception and up to
/// <see cref="MaxDepth"/> levels of <see cref="Exception.InnerException"/>, then the guide's message
/// heuristics, else <see cref="ErrorCategory.Unexpected"/>.
/// </para>
/// <para>
/// The classifier is called for outcomes that are already judged failures, so it never returns
/// <see cref="ErrorCategory.None"/>.
/// </para>
/// <para>
/// Cancellation: an <see cref="OperationCanceledException"/> is a timeout only when it carries a
/// <see cref="TimeoutException"/> (what <see cref="HttpClient.Timeout"/> produces) or a timeout
/// message. A cancellation requested by the caller is never a timeout: the strategy, which knows the
/// caller's token, passes <c>callerCancelled: true</c> to
/// <see cref="Classify(int?, Exception?, bool)"/>, and the cancellation is then
/// <see cref="ErrorCategory.Unexpected"/> (the strategy may also choose not to count it as an error).
/// Inside an HttpClient's handler chain its <see cref="HttpClient.Timeout"/> cancels the same token as the caller;
/// <see cref="Outcomes"/> tells the two apart with <see cref="HttpClientTimeout"/> before it gets here.
/// </para>
/// </remarks>
internal static class ErrorClassifier
{
    /// <summary>How many exceptions of an <see cref="Exception.InnerException"/> chain are inspected, the outermost included.</summary>
    internal const int MaxDepth = 5;

    /// <summary>How many characters of a message the message rules look at: a trace keeps fewer.</summary>
    internal const int MaxMessageScan = 4096;

    /// <summary><c>error.type</c> of a request this library's own queue rejected (it was full).</summary>
    internal const string QueueRejectedErrorType = "queue_rejected";

    /// <summary><c>error.type</c> when there is neither an exception nor a status code (OpenTelemetry's fallback value).</summary>
    internal const string OtherErrorType = "_OTHER";

    private const int FirstCachedStatus = 100;
    private const int LastCachedStatus = 599;

    private static readonly string[] StatusCodeStrings = CreateStatusCodeStrings();

    private static readonly string[] RateLimitingPhrases = ["rate limit", "too many requests"];
    private static readonly string[] AuthenticationPhrases = ["authentication", "unauthorized", "api key"];
    private static readonly string[] InvalidRequestPhrases = ["invalid", "bad request"];
    private static readonly string[] ServiceUnavailablePhrases = ["unavailable", "server error"];
    private static readonly string[] TimeoutPhrases = ["timeout", "timed out"];

    private static readonly string[] NetworkPhrases =
    [
        "connection refused", "connection reset", "connection aborted", "connection closed",
        "no connection could be made", "network is unreachable", "host is unreachable",
        "name or service not known", "no such host",
    ];

    /// <summary>Classifies a failed request; a caller cancellation is not distinguished (see <see cref="Classify(int?, Exception?, bool)"/>).</summary>
    /// <param name="statusCode">The response's HTTP status code, when there was a response.</param>
    /// <param name="exception">The exception the request ended with, if any.</param>
    /// <returns>The category; never <see cref="ErrorCategory.None"/>.</returns>
    public static ErrorCategory Classify(int? statusCode, Exception? exception) =>
        Classify(statusCode, exception, callerCancelled: false);

    /// <summary>Classifies a failed request.</summary>
    /// <param name="statusCode">The response's HTTP status code, when there was a response.</param>
    /// <param name="exception">The exception the request ended with, if any.</param>
    /// <param name="callerCancelled">
    /// <see langword="true"/> when the caller's own cancellation token requested the cancellation; an
    /// <paramref name="exception"/> that is an <see cref="OperationCanceledException"/> is then
    /// <see cref="ErrorCategory.Unexpected"/>, never <see cref="ErrorCategory.Timeout"/>.
    /// </param>
    /// <returns>The category; never <see cref="ErrorCategory.None"/>.</returns>
    public static ErrorCategory Classify(int? statusCode, Exception? exception, bool callerCancelled)
    {
        var status = statusCode ?? FindStatusCode(exception);
        if (status is { } code)
        {
            var byStatus = ClassifyStatusCode(code);
            if (byStatus != ErrorCategory.None)
            {
                return byStatus;
            }
        }

        if (exception is null)
        {
            return ErrorCategory.Unexpected;
        }

        if (callerCancelled && exception is OperationCanceledException)
        {
            return ErrorCategory.Unexpected;
        }

        var byType = ClassifyExceptionChain(exception);
        if (byType != ErrorCategory.None)
        {
            return byType;
        }

        var current = exception;
        for (var depth = 0; current is not null && depth < MaxDepth; depth++, current = current.InnerException)
        {
            var byMessage = MatchMessage(TextLimits.MessageOf(current));
            if (byMessage != ErrorCategory.None)
            {
                return byMessage;
            }
        }

        return ErrorCategory.Unexpected;
    }

    /// <summary>Classifies an error message alone by the guide's message rules.</summary>
    /// <param name="message">The error message; compared case-insensitively, without copying it.</param>
    /// <returns>The first matching category in the guide's order, else <see cref="ErrorCategory.Unexpected"/>.</returns>
    public static ErrorCategory Classify(string? message)
    {
        var category = MatchMessage(message);
        return category == ErrorCategory.None ? ErrorCategory.Unexpected : category;
    }

    /// <summary>The category of an HTTP status code, or <see cref="ErrorCategory.None"/> when the code alone does not say.</summary>
    /// <param name="statusCode">An HTTP status code.</param>
    /// <returns>
    /// 429 rate limiting; 401, 403 authentication; 408, 504 timeout; 400, 404, 409, 413, 422 and every
    /// other 4xx invalid request; every other 5xx (500, 502, 503, 529, ...) service unavailable;
    /// anything else <see cref="ErrorCategory.None"/>.
    /// </returns>
    public static ErrorCategory ClassifyStatusCode(int statusCode) => statusCode switch
    {
        429 => ErrorCategory.RateLimiting,
        401 or 403 => ErrorCategory.Authentication,
        408 or 504 => ErrorCategory.Timeout,
        >= 400 and <= 499 => ErrorCategory.InvalidRequest,
        >= 500 and <= 599 => ErrorCategory.ServiceUnavailable,
        _ => ErrorCategory.None,
    };

    /// <summary>The OpenTelemetry <c>error.type</c> of a failed request.</summary>
    /// <param name="statusCode">The response's HTTP status code, when there was a response.</param>
    /// <param name="exception">The exception the request ended with, if any.</param>
    /// <returns>
    /// The exception's type name (<c>HttpRequestException</c>) when there is an exception, else the status
    /// code as a string (<c>"429"</c>, cached for 100–599), else <c>_OTHER</c>.
    /// </returns>
    public static string GetErrorType(int? statusCode, Exception? exception)
    {
        if (exception is QueueRejectedException)
        {
            // Our own queue said no: never to be mistaken for a provider's 429.
            return QueueRejectedErrorType;
        }

        if (exception is not null)
        {
            return TextLimits.Cap(exception.GetType().Name);
        }

        if (statusCode is { } code)
        {
            return code is >= FirstCachedStatus and <= LastCachedStatus
                ? StatusCodeStrings[code - FirstCachedStatus]
                : code.ToString(CultureInfo.InvariantCulture);
        }

        return OtherErrorType;
    }

    private static int? FindStatusCode(Exception? exception)
    {
        var current = exception;
        for (var depth = 0; current is not null && depth < MaxDepth; depth++, current = current.InnerException)
        {
            if (current is HttpRequestException { StatusCode: { } status })
            {
                return (int)status;
            }
        }

        return null;
    }

    private static ErrorCategory ClassifyExceptionChain(Exception exception)
    {
        // An HttpRequestError is remembered, not returned at once: a SocketException or a
        // TimeoutException deeper in the chain says more (a connect that timed out is a timeout).
        var byHttpRequestError = ErrorCategory.None;
        var current = exception;
        for (var depth = 0; current is not null && depth < MaxDepth; depth++, current = current.InnerException)
        {
            switch (current)
            {
                case BrokenCircuitException:
                    return ErrorCategory.ServiceUnavailable;
                case QueueRejectedException:
                    // Local back-pressure: the backend's concurrency limit, like a rate limit, turned the request away.
                    return ErrorCategory.RateLimiting;
                case TimeoutRejectedException:
                case TimeoutException:
                    return ErrorCategory.Timeout;
                case SocketException socketException:
                    return ClassifySocketError(socketException.SocketErrorCode);
                case HttpRequestException httpRequestException when byHttpRequestError == ErrorCategory.None:
                    byHttpRequestError = ClassifyHttpRequestError(httpRequestException.HttpRequestError);
                    break;
            }
        }

        return byHttpRequestError;
    }

    private static ErrorCategory ClassifyHttpRequestError(HttpRequestError error) => error switch
    {
        HttpRequestError.ConnectionError
            or HttpRequestError.NameResolutionError
            or HttpRequestError.SecureConnectionError
            or HttpRequestError.ProxyTunnelError
            or HttpRequestError.ResponseEnded => ErrorCategory.Network,
        HttpRequestError.UserAuthenticationError => ErrorCategory.Authentication,
        _ => ErrorCategory.None,
    };

    private static ErrorCategory ClassifySocketError(SocketError error) =>
        error == SocketError.TimedOut ? ErrorCategory.Timeout : ErrorCategory.Network;

    private static ErrorCategory MatchMessage(string? message)
    {
        if (string.IsNullOrEmpty(message))
        {
            return ErrorCategory.None;
        }

        if (ContainsAny(message, RateLimitingPhrases))
        {
            return ErrorCategory.RateLimiting;
        }

        if (ContainsAny(message, AuthenticationPhrases))
        {
            return ErrorCategory.Authentication;
        }

        if (ContainsAny(message, InvalidRequestPhrases))
        {
            return ErrorCategory.InvalidRequest;
        }

        if (ContainsAny(message, ServiceUnavailablePhrases))
        {
            return ErrorCategory.ServiceUnavailable;
        }

        if (ContainsAny(message, TimeoutPhrases))
        {
            return ErrorCategory.Timeout;
        }

        return ContainsAny(message, NetworkPhrases) ? ErrorCategory.Network : ErrorCategory.None;
    }

    private static bool ContainsAny(string message, string[] phrases)
    {
        // Only the message's start is searched: a 100,000-character message would cost every phrase a full scan.
        var text = message.AsSpan(0, Math.Min(message.Length, MaxMessageScan));
        foreach (var phrase in phrases)
        {
            if (text.Contains(phrase, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static string[] CreateStatusCodeStrings()
    {
        var strings = new string[LastCachedStatus - FirstCachedStatus + 1];
        for (var i = 0; i < strings.Length; i++)
        {
            strings[i] = (FirstCachedStatus + i).ToString(CultureInfo.InvariantCulture);
        }

        return strings;
    }
}
