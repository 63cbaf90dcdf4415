using System.ClientModel.Primitives;
using System.Globalization;

namespace Resilience.Metrics.SdkTests;

// The policy docs/sdks.md gives users of the OpenAI and Azure OpenAI packages who keep the SDK's own retries; the
// text between the markers is quoted there verbatim (SdkDocsTests checks it).
// example: marked-retry-policy
/// <summary>
/// The SDK's own retry policy, with each try numbered on the wire as the Stainless SDKs number theirs
/// (<c>x-stainless-retry-count</c>: 0, then 1, 2, …), so that the monitoring counts an SDK retry as a retry attempt
/// of the call instead of a request of its own.
/// </summary>
public class MarkedRetryPolicy(int maxRetries = 3) : ClientRetryPolicy(maxRetries)
{
    protected override void OnSendingRequest(PipelineMessage message)
    {
        Mark(message);
        base.OnSendingRequest(message);
    }

    protected override ValueTask OnSendingRequestAsync(PipelineMessage message)
    {
        Mark(message);
        return base.OnSendingRequestAsync(message);
    }

    private static void Mark(PipelineMessage message)
    {
        var retry = message.TryGetProperty(typeof(MarkedRetryPolicy), out var previous) ? (int)previous! + 1 : 0;
        message.SetProperty(typeof(MarkedRetryPolicy), retry);
        message.Request.Headers.Set("x-stainless-retry-count", retry.ToString(CultureInfo.InvariantCulture));
    }
}
// end

/// <summary>The marked policy without its backoff, so the tests are fast.</summary>
internal sealed class NoDelayMarkedRetryPolicy : MarkedRetryPolicy
{
    protected override TimeSpan GetNextDelay(PipelineMessage message, int tryCount) => TimeSpan.Zero;
}
