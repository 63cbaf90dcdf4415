namespace Resilience.Metrics;

/// <summary>
/// A format whose bodies are OpenAI's Chat Completions shape: a top-level <c>model</c> and a <c>usage</c> object with
/// <c>prompt_tokens</c>, <c>completion_tokens</c> and their cached and reasoning details.
/// </summary>
internal abstract class OpenAICompatibleFormat : ApiFormatDescriptor
{
    public override UsageFieldGroups Fields => UsageFieldGroups.Usage | UsageFieldGroups.Model | UsageFieldGroups.Wrappers;

    protected override TokenFields Counts(in UsageFields f) =>
        new(f.UsagePromptTokens, f.UsageCompletionTokens, f.UsageCachedTokens, f.UsageReasoningTokens);
}
