using System.Net.Http.Json;
using Polly;

namespace Resilience.Metrics;

/// <summary>Whether a request can be sent again: a retry of ours must never re-send a body that was consumed.</summary>
internal static class RequestBodies
{
    /// <summary>
    /// True for a pipeline without an HTTP request, a request without a body, in-memory bodies
    /// (<see cref="ByteArrayContent"/> and its <see cref="StringContent"/> and <see cref="FormUrlEncodedContent"/>,
    /// <see cref="ReadOnlyMemoryContent"/>), <see cref="JsonContent"/> (serialized anew on every send), multipart
    /// bodies made only of those, and a body request monitoring loaded into its buffer. Anything else (a stream, an
    /// SDK's own content type) may be readable once only: it is not retried, and the caller gets the server's answer.
    /// </summary>
    public static bool CanResend(ResilienceContext context)
    {
        if (context.GetRequestMessage()?.Content is not { } content)
        {
            return true;
        }

        return ReferenceEquals(content, context.Properties.GetValue(ApiMonitoringContext.BufferedBody, null!)) || CanResend(content);
    }

    private static bool CanResend(HttpContent content)
    {
        switch (content)
        {
            case ByteArrayContent or ReadOnlyMemoryContent or JsonContent:
                return true;
            case MultipartContent parts:
                foreach (var part in parts)
                {
                    if (!CanResend(part))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return false;
        }
    }
}
