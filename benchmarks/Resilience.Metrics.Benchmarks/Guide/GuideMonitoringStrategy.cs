using System.Diagnostics;
using Polly;

namespace Resilience.Metrics.Benchmarks.Guide;

/// <summary>
/// The guide's <c>_process_with_tracing</c> (without its optional trace store) as the outermost Polly strategy:
/// take the start time, run the request, then <see cref="GuideMetrics.UpdateMetrics"/> with the latency in
/// milliseconds, the outcome, the error and the model. It records what the library's request monitoring records.
/// </summary>
internal sealed class GuideMonitoringStrategy<T>(GuideMetrics metrics) : ResilienceStrategy<T>
{
    protected override async ValueTask<Outcome<T>> ExecuteCore<TState>(
        Func<ResilienceContext, TState, ValueTask<Outcome<T>>> callback, ResilienceContext context, TState state)
    {
        var start = Stopwatch.GetTimestamp();
        var outcome = await callback(context, state).ConfigureAwait(context.ContinueOnCapturedContext);
        var latency = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        var failed = outcome.Exception is not null || outcome.Result is HttpResponseMessage { IsSuccessStatusCode: false };
        metrics.UpdateMetrics(
            success: !failed,
            latency: latency,
            error: outcome.Exception,
            errorType: outcome.Result is HttpResponseMessage { IsSuccessStatusCode: false } response ? ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : null,
            model: context.Properties.GetValue(ApiMonitoringContext.Model, null!));
        return outcome;
    }
}

/// <summary>Adds <see cref="GuideMonitoringStrategy{T}"/> to a pipeline.</summary>
internal static class GuideMonitoringExtensions
{
    public static ResiliencePipelineBuilder<T> AddGuideMonitoring<T>(this ResiliencePipelineBuilder<T> builder, GuideMetrics metrics) =>
        builder.AddStrategy(_ => new GuideMonitoringStrategy<T>(metrics), new GuideMonitoringOptions());

    private sealed class GuideMonitoringOptions : ResilienceStrategyOptions
    {
        public GuideMonitoringOptions() => Name = "GuideMonitoring";
    }
}
