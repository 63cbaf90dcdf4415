namespace Resilience.Metrics;

/// <summary>
/// What one model costs, in US dollars per million tokens (<c>o.Pricing["gpt-4o"] = new ModelPrice { ... }</c>).
/// Bindable from configuration (<c>"Pricing": { "gpt-4o": { "InputPerMillion": 2.5, "OutputPerMillion": 10 } }</c>).
/// Both <see cref="InputPerMillion"/> and <see cref="OutputPerMillion"/> must be set (0 for a model that has no such
/// price): a price left out is never guessed.
/// </summary>
public sealed class ModelPrice
{
    /// <summary>
    /// USD per million prompt (input) tokens that were not served from the provider's prompt cache (cache writes
    /// included, unless <see cref="CacheWriteInputPerMillion"/> is set).
    /// </summary>
    public double? InputPerMillion { get; set; }

    /// <summary>USD per million completion (output) tokens, reasoning tokens included.</summary>
    public double? OutputPerMillion { get; set; }

    /// <summary>USD per million cached prompt tokens (OpenAI <c>cached_tokens</c>, Anthropic <c>cache_read_input_tokens</c>); unset: <see cref="InputPerMillion"/>.</summary>
    public double? CachedInputPerMillion { get; set; }

    /// <summary>
    /// USD per million prompt tokens written to the provider's prompt cache (Anthropic <c>cache_creation_input_tokens</c>:
    /// 1.25 × the input price for the 5-minute cache, 2 × for the 1-hour cache); unset: <see cref="InputPerMillion"/>.
    /// </summary>
    public double? CacheWriteInputPerMillion { get; set; }

    /// <summary>A copy, so a registration does not change when the options' objects do.</summary>
    internal ModelPrice Copy() => (ModelPrice)MemberwiseClone();

    /// <summary>Whether <paramref name="other"/> sets the same prices.</summary>
    internal bool SamePrices(ModelPrice other) =>
        InputPerMillion == other.InputPerMillion
        && OutputPerMillion == other.OutputPerMillion
        && CachedInputPerMillion == other.CachedInputPerMillion
        && CacheWriteInputPerMillion == other.CacheWriteInputPerMillion;
}
