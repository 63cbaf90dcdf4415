namespace Resilience.Metrics;

/// <summary><see cref="ApiFormat.Anthropic"/>: the Claude Messages API, JSON and its event stream.</summary>
internal sealed class AnthropicFormat : ApiFormatDescriptor
{
    public override ApiFormat Format => ApiFormat.Anthropic;

    public override string? ProviderName => "anthropic";

    public override UsageFieldGroups Fields =>
        UsageFieldGroups.Usage | UsageFieldGroups.Model | UsageFieldGroups.Wrappers | UsageFieldGroups.EndMarkers;

    public override bool Matches(ReadOnlySpan<char> host, ReadOnlySpan<char> path, Uri uri) =>
        host.Equals("api.anthropic.com", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// <c>input_tokens</c> leaves out the prompt tokens read from or written to the cache: they are added, so prompt
    /// tokens are the whole prompt for every provider, and cached (read) and cache-write tokens parts of them.
    /// </summary>
    public static long WholePrompt(in UsageFields f) =>
        f.UsageInputTokens < 0 ? -1 : f.UsageInputTokens + Math.Max(f.UsageCacheReadInputTokens, 0) + Math.Max(f.UsageCacheCreationInputTokens, 0);

    protected override TokenFields Counts(in UsageFields f) =>
        new(WholePrompt(f), f.UsageOutputTokens, f.UsageCacheReadInputTokens, CacheWrite: f.UsageCacheCreationInputTokens);
}
