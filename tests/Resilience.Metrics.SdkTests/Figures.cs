namespace Resilience.Metrics.SdkTests;

/// <summary>
/// A backend's counts and one model's, in one record, so that a failed comparison prints every figure at once.
/// </summary>
internal sealed record Figures(
    long TotalRequests,
    long Successes,
    long Failures,
    string Models,
    long ModelRequests,
    long ModelSuccesses,
    long ModelFailures,
    long PromptTokens,
    long CompletionTokens,
    long ModelPromptTokens,
    long ModelCompletionTokens)
{
    public static Figures Of(MetricsReport report, string model)
    {
        report.Models.TryGetValue(model, out var figures);
        return new Figures(
            report.TotalRequests,
            report.Successes,
            report.Failures,
            string.Join(",", report.Models.Keys.Order(StringComparer.Ordinal)),
            figures?.Requests ?? 0,
            figures?.Successes ?? 0,
            figures?.Failures ?? 0,
            report.TokenCounts.Prompt,
            report.TokenCounts.Completion,
            figures?.TokenCounts.Prompt ?? 0,
            figures?.TokenCounts.Completion ?? 0);
    }

    /// <summary>What the report must say when every request was for <paramref name="model"/>.</summary>
    public static Figures Expected(string model, long successes, long failures, long prompt, long completion) =>
        new(successes + failures, successes, failures, model, successes + failures, successes, failures, prompt, completion, prompt, completion);
}
