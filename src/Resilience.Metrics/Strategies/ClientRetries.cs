using System.Globalization;
using System.Net.Http.Headers;

namespace Resilience.Metrics;

/// <summary>
/// Reads the retry number an SDK puts on its requests: the Stainless-generated SDKs (Anthropic's) send
/// <c>x-stainless-retry-count</c>, 0 on a first attempt and n on the n-th retry; the AWS SDKs send
/// <c>amz-sdk-request: attempt=n+1; max=m</c>. Such a retry is an attempt of a logical request already counted, not a
/// new request.
/// </summary>
internal static class ClientRetries
{
    /// <summary>The header the Stainless SDKs send.</summary>
    public const string StainlessRetryCount = "x-stainless-retry-count";

    /// <summary>The header the AWS SDKs send.</summary>
    public const string AwsSdkRequest = "amz-sdk-request";

    /// <summary>The retry number of <paramref name="request"/>; 0 when it has none, or a malformed one.</summary>
    /// <param name="request">The request.</param>
    /// <param name="format">Its format: only object storage is asked for the AWS header (one header lookup per request elsewhere).</param>
    public static int Number(HttpRequestMessage request, ApiFormat format)
    {
        var headers = request.Headers.NonValidated;
        if (format != ApiFormat.S3)
        {
            if (headers.TryGetValues(StainlessRetryCount, out HeaderStringValues values))
            {
                foreach (var value in values)
                {
                    return Parse(value);
                }
            }
        }
        else if (headers.TryGetValues(AwsSdkRequest, out HeaderStringValues values))
        {
            foreach (var value in values)
            {
                return AwsRetryNumber(value);
            }
        }

        return 0;
    }

    /// <summary><c>attempt=3; max=5</c> → 2.</summary>
    private static int AwsRetryNumber(ReadOnlySpan<char> value)
    {
        foreach (var range in value.Split(';'))
        {
            var part = value[range].Trim();
            if (part.StartsWith("attempt=", StringComparison.OrdinalIgnoreCase))
            {
                var attempt = Parse(part["attempt=".Length..]);
                return attempt > 1 ? attempt - 1 : 0;
            }
        }

        return 0;
    }

    private static int Parse(ReadOnlySpan<char> value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number is > 0 and <= 1000 ? number : 0;
}
