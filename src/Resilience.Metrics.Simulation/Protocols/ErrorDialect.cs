namespace Resilience.Metrics.Simulation.Protocols;

/// <summary>The shape of an API's error responses.</summary>
internal enum ErrorDialect
{
    /// <summary><c>{"error":{"message","type","param","code"}}</c> (OpenAI, Groq, OPEA, vLLM, OVMS v3, TGI messages).</summary>
    OpenAI,

    /// <summary><c>{"type":"error","error":{"type","message"},"request_id"}</c>.</summary>
    Anthropic,

    /// <summary><c>{"error":{"code","message","status"}}</c> (Google APIs).</summary>
    Gemini,

    /// <summary><c>{"error":"message"}</c>.</summary>
    Ollama,

    /// <summary><c>{"error","error_type"}</c> with lower-case types.</summary>
    Tgi,

    /// <summary><c>{"error","error_type"}</c> with capitalised types.</summary>
    Tei,

    /// <summary><c>{"error":"message"}</c> (TF-Serving / OVMS v1).</summary>
    TfServing,

    /// <summary>S3's XML <c>&lt;Error&gt;</c> document.</summary>
    S3,
}
