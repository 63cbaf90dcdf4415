namespace Resilience.Metrics;

/// <summary>One model's prices in USD per token, copied from a <see cref="ModelPrice"/>.</summary>
internal sealed record ModelRate(double Input, double Output, double CachedInput)
{
    private const double PerMillion = 1_000_000d;

    public static ModelRate From(ModelPrice price) => new(
        (price.InputPerMillion ?? 0) / PerMillion,
        (price.OutputPerMillion ?? 0) / PerMillion,
        (price.CachedInputPerMillion ?? price.InputPerMillion ?? 0) / PerMillion);

    /// <summary>The cost of a backend's or a model's tokens.</summary>
    public double Cost(in CounterTotals totals) => Cost(totals.PromptTokens, totals.CompletionTokens, totals.CachedTokens);

    /// <summary>The cost in USD of <paramref name="prompt"/> tokens (of which <paramref name="cached"/> were cached) and <paramref name="completion"/> tokens.</summary>
    public double Cost(long prompt, long completion, long cached)
    {
        // Prompt tokens include the cached ones; a provider that reported more cached than prompt tokens is clamped.
        var cachedPart = Math.Clamp(cached, 0, Math.Max(prompt, 0));
        return ((Math.Max(prompt, 0) - cachedPart) * Input) + (cachedPart * CachedInput) + (Math.Max(completion, 0) * Output);
    }
}
