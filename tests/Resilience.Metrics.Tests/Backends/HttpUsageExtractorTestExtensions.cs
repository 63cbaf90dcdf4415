namespace Resilience.Metrics.Tests;

/// <summary>
/// The extractor's calls in the shape tests want them: the configured format, and callbacks in place of a sink. The
/// strategy calls the full overloads; these only fill in their arguments.
/// </summary>
internal static class HttpUsageExtractorTestExtensions
{
    public static string? GetRequestModel(this HttpUsageExtractor extractor, HttpRequestMessage request) =>
        extractor.GetRequestModel(request, extractor.Format);

    public static ValueTask<TokenUsage> InspectResponseAsync(
        this HttpUsageExtractor extractor, HttpResponseMessage response, Action<TokenUsage>? onStreamUsage, CancellationToken cancellationToken, Action? onFirstByte = null) =>
        extractor.InspectResponseAsync(response, extractor.Format, onStreamUsage, cancellationToken, onFirstByte);

    public static ValueTask<TokenUsage> InspectResponseAsync(
        this HttpUsageExtractor extractor, HttpResponseMessage response, ApiFormat format, Action<TokenUsage>? onStreamUsage, CancellationToken cancellationToken, Action? onFirstByte = null) =>
        extractor.InspectResponseAsync(
            response,
            format,
            static callbacks => callbacks.OnUsage is null && callbacks.OnFirstByte is null ? null : new CallbackBodySink(callbacks.OnUsage, callbacks.OnFirstByte),
            (OnUsage: onStreamUsage, OnFirstByte: onFirstByte),
            modelHint: null,
            out _,
            cancellationToken);

    /// <summary>A sink made of two callbacks: the usage, when found, and the first byte.</summary>
    private sealed class CallbackBodySink(Action<TokenUsage>? onUsage, Action? onFirstByte) : IResponseBodySink
    {
        public void OnFirstByte() => onFirstByte?.Invoke();

        public void OnChunks(int count)
        {
        }

        public void OnCompleted(in TokenUsage usage, bool usageFound, Exception? failure)
        {
            if (usageFound)
            {
                onUsage?.Invoke(usage);
            }
        }
    }
}
