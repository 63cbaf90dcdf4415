namespace Resilience.Metrics;

/// <summary><see cref="ApiFormat.Llvm"/>: the IPFS-accelerate "llvm" backend, assumed OpenAI-compatible (its shape is not specified).</summary>
internal sealed class LlvmFormat : OpenAICompatibleFormat
{
    public override ApiFormat Format => ApiFormat.Llvm;

    public override string? ProviderName => "llvm";
}
