namespace Resilience.Metrics;

/// <summary>
/// A format whose bodies are OpenAI's shape: a top-level <c>model</c> and a <c>usage</c> object with
/// <c>prompt_tokens</c>, <c>completion_tokens</c> and their cached and reasoning details (the Responses API's
/// <c>input_tokens</c>/<c>output_tokens</c> where the server offers it, as Groq does).
/// </summary>
internal abstract class OpenAICompatibleFormat : ApiFormatDescriptor
{
    public override UsageFieldGroups Fields => UsageFieldGroups.Usage | UsageFieldGroups.Model | UsageFieldGroups.Wrappers;

    protected override TokenFields Counts(in UsageFields f) => OpenAIUsage(f);
}
