namespace Resilience.Metrics;

/// <summary><see cref="ApiFormat.Llvm"/>: the IPFS-accelerate "llvm" backend, assumed OpenAI-compatible (its shape is not specified).</summary>
internal sealed class LlvmFormat : ApiFormatDescriptor
{
    public override ApiFormat Format => ApiFormat.Llvm;

    public override string? ProviderName => "llvm";

    public override UsageFieldGroups Fields => UsageFieldGroups.Usage | UsageFieldGroups.Model | UsageFieldGroups.Wrappers;

    protected override TokenFields Counts(in UsageFields f) => new(f.UsagePromptTokens, f.UsageCompletionTokens, f.UsageCachedTokens, f.UsageReasoningTokens);
}
