namespace Resilience.Metrics;

/// <summary>One model's prices in USD per token, copied from a <see cref="ModelPrice"/>.</summary>
internal sealed record ModelRate(double Input, double Output, double CachedInput, double CacheWriteInput)
{
    private const double PerMillion = 1_000_000d;

    public static ModelRate From(ModelPrice price) => new(
        (price.InputPerMillion ?? 0) / PerMillion,
        (price.OutputPerMillion ?? 0) / PerMillion,
        (price.CachedInputPerMillion ?? price.InputPerMillion ?? 0) / PerMillion,
        (price.CacheWriteInputPerMillion ?? price.InputPerMillion ?? 0) / PerMillion);

    /// <summary>The cost of a backend's or a model's tokens: the one formula every cost figure comes from.</summary>
    public double Cost(in CounterTotals totals)
    {
        // Prompt tokens include the cached (read) and cache-write ones; a provider that reported more of them than
        // prompt tokens is clamped: cache reads first, then cache writes, never more than the prompt.
        var prompt = Math.Max(totals.PromptTokens, 0);
        var cached = Math.Clamp(totals.CachedTokens, 0, prompt);
        var cacheWrite = Math.Clamp(totals.CacheWriteTokens, 0, prompt - cached);
        return ((prompt - cached - cacheWrite) * Input) + (cached * CachedInput) + (cacheWrite * CacheWriteInput)
            + (Math.Max(totals.CompletionTokens, 0) * Output);
    }
}
