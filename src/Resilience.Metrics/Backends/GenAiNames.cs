namespace Resilience.Metrics;

/// <summary>The OpenTelemetry GenAI semantic-convention names of a backend, from its <see cref="ApiFormat"/>.</summary>
internal static class GenAiNames
{
    /// <summary><c>gen_ai.provider.name</c>: the convention's well-known value where there is one; the backend's own name for Auto and Generic; null for S3, which is no GenAI API.</summary>
    public static string? ProviderName(ApiFormat format, string backend) => format switch
    {
        ApiFormat.OpenAI => "openai",
        ApiFormat.Anthropic => "anthropic",
        ApiFormat.Groq => "groq",
        ApiFormat.Gemini => "gcp.gemini",
        ApiFormat.Ollama => "ollama",
        ApiFormat.HuggingFaceTgi or ApiFormat.HuggingFaceTei => "huggingface",
        ApiFormat.Llvm => "llvm",
        ApiFormat.Ovms => "openvino",
        ApiFormat.Opea => "opea",
        ApiFormat.S3 => null,
        _ => backend,
    };

    /// <summary><c>gen_ai.operation.name</c>: <c>embeddings</c> for TEI, <c>text_completion</c> for TGI, else <c>chat</c>.</summary>
    public static string OperationName(ApiFormat format) => format switch
    {
        ApiFormat.HuggingFaceTei => "embeddings",
        ApiFormat.HuggingFaceTgi => "text_completion",
        _ => "chat",
    };
}
