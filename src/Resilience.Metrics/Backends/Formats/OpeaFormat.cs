namespace Resilience.Metrics;

/// <summary><see cref="ApiFormat.Opea"/>: OPEA services, OpenAI-compatible.</summary>
internal sealed class OpeaFormat : OpenAICompatibleFormat
{
    public override ApiFormat Format => ApiFormat.Opea;

    public override string? ProviderName => "opea";
}
