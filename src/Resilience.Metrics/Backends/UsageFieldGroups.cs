namespace Resilience.Metrics;

/// <summary>The groups of JSON fields the generic reader looks for; a format's descriptor says which of them its bodies carry.</summary>
[Flags]
internal enum UsageFieldGroups
{
    /// <summary>Nothing: the body is not read.</summary>
    None = 0,

    /// <summary>A <c>usage</c> object: OpenAI's and Anthropic's counts, cached and reasoning details.</summary>
    Usage = 1,

    /// <summary>Gemini's top-level <c>usageMetadata</c>.</summary>
    UsageMetadata = 2,

    /// <summary>Ollama's top-level <c>prompt_eval_count</c> and <c>eval_count</c>.</summary>
    OllamaCounts = 4,

    /// <summary>TGI's top-level <c>details</c> (<c>generated_tokens</c>, <c>prefill</c>).</summary>
    TgiDetails = 8,

    /// <summary>The <c>model</c> string.</summary>
    Model = 16,

    /// <summary>Gemini's top-level <c>modelVersion</c>.</summary>
    ModelVersion = 32,

    /// <summary>
    /// Objects that wrap a response: Anthropic's <c>message</c> (<c>message_start</c>), the OpenAI Responses API's
    /// <c>response</c>, Groq's <c>x_groq</c>.
    /// </summary>
    Wrappers = 64,

    /// <summary>Stream end markers: Ollama's <c>"done": true</c>, Anthropic's <c>"type": "message_stop"</c>.</summary>
    EndMarkers = 128,

    /// <summary>Every group: an unknown API.</summary>
    All = Usage | UsageMetadata | OllamaCounts | TgiDetails | Model | ModelVersion | Wrappers | EndMarkers,
}
