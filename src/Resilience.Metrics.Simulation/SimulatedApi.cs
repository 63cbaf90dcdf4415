namespace Resilience.Metrics.Simulation;

/// <summary>The HTTP APIs that <see cref="SimulatedBackendServer"/> simulates, each under its own path prefix.</summary>
public enum SimulatedApi
{
    /// <summary>OpenAI chat completions, under <c>/openai/</c>.</summary>
    OpenAI,

    /// <summary>Anthropic Claude messages, under <c>/anthropic/</c>.</summary>
    Anthropic,

    /// <summary>Groq's OpenAI-compatible chat completions, under <c>/groq/</c>.</summary>
    Groq,

    /// <summary>Google Gemini <c>generateContent</c> and <c>streamGenerateContent</c>, under <c>/gemini/</c>.</summary>
    Gemini,

    /// <summary>Ollama <c>/api/chat</c> and <c>/api/generate</c> (NDJSON streaming), under <c>/ollama/</c>.</summary>
    Ollama,

    /// <summary>Hugging Face Text Generation Inference, under <c>/tgi/</c>.</summary>
    HuggingFaceTgi,

    /// <summary>Hugging Face Text Embeddings Inference, under <c>/tei/</c>.</summary>
    HuggingFaceTei,

    /// <summary>An OpenAI-compatible completions server (vLLM / llama.cpp style), under <c>/llvm/</c>.</summary>
    Llvm,

    /// <summary>OpenVINO Model Server: TF-Serving style predict and OpenAI-compatible v3 endpoints, under <c>/ovms/</c>.</summary>
    Ovms,

    /// <summary>An OPEA (Open Platform for Enterprise AI) OpenAI-compatible LLM microservice, under <c>/opea/</c>.</summary>
    Opea,

    /// <summary>Amazon S3 object GET / PUT with XML error bodies, under <c>/s3/</c>.</summary>
    S3,
}
