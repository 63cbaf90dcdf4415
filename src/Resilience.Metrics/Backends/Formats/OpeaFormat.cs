namespace Resilience.Metrics;

/// <summary><see cref="ApiFormat.Opea"/>: OPEA services, OpenAI-compatible.</summary>
internal sealed class OpeaFormat : ApiFormatDescriptor
{
    public override ApiFormat Format => ApiFormat.Opea;

    public override string? ProviderName => "opea";

    public override UsageFieldGroups Fields => UsageFieldGroups.Usage | UsageFieldGroups.Model | UsageFieldGroups.Wrappers;

    protected override TokenFields Counts(in UsageFields f) => new(f.UsagePromptTokens, f.UsageCompletionTokens, f.UsageCachedTokens, f.UsageReasoningTokens);
}
