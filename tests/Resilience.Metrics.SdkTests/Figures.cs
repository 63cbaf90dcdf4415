namespace Resilience.Metrics.SdkTests;

/// <summary>
/// A backend's counts and one model's, in one record, so that a failed comparison prints every figure at once
/// (<see cref="Models"/> lists every model the report has, with its own figures).
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
            string.Join(", ", report.Models.OrderBy(m => m.Key, StringComparer.Ordinal).Select(m =>
                $"{m.Key}: {m.Value.Requests} requests, {m.Value.Failures} failed, {m.Value.TokenCounts.Prompt}/{m.Value.TokenCounts.Completion} tokens")),
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
        new(successes + failures, successes, failures,
            $"{model}: {successes + failures} requests, {failures} failed, {prompt}/{completion} tokens",
            successes + failures, successes, failures, prompt, completion, prompt, completion);
}

internal static class Same
{
    /// <summary>
    /// Runs <paramref name="run"/> over a client of the monitored HttpClient, then over one of a plain HttpClient, and
    /// asserts the SDK saw the same results both times.
    /// </summary>
    public static async Task ResultsWithAndWithoutMonitoringAsync<TClient>(Monitored monitored, Func<HttpClient, TClient> client, Func<TClient, Task<string>> run)
    {
        using var plainHttp = new HttpClient();
        var with = await run(client(monitored.Client));
        var without = await run(client(plainHttp));
        Results(without, with);
    }

    /// <summary>Both runs' results in full when they differ (xunit's string diff cuts them).</summary>
    public static void Results(string without, string with) =>
        Assert.True(string.Equals(without, with, StringComparison.Ordinal), $"without monitoring:\n{without}\n\nwith monitoring:\n{with}");
}
