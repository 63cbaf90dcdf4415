namespace Resilience.Metrics;

/// <summary>
/// The request and response shape of a backend API: where the monitoring reads the model name and the token
/// counts of a call from. Set it per backend with the <c>ApiFormat</c> monitoring option.
/// </summary>
/// <remarks>
/// Reading is best effort and never fails a request: a body that does not have the expected shape, is malformed,
/// compressed, or larger than the configured limit simply yields no model and no tokens.
/// </remarks>
public enum ApiFormat
{
    /// <summary>
    /// Chosen per request from the request URL: the host (<c>*.openai.azure.com</c>, <c>api.openai.com</c>, <c>api.anthropic.com</c>,
    /// <c>api.groq.com</c>, <c>generativelanguage.googleapis.com</c>, <c>*.s3.amazonaws.com</c>, <c>s3.*</c>),
    /// the Ollama port 11434, and the path (<c>/api/generate</c>, <c>/api/chat</c>, <c>/generate</c>,
    /// <c>/generate_stream</c>, <c>/embed</c>, <c>:predict</c>, <c>/v1/models/…/versions/…</c>,
    /// <c>/chat/completions</c>); anything else is read as <see cref="Generic"/>.
    /// </summary>
    Auto = 0,

    /// <summary>
    /// An unknown JSON API: the response is searched for the field names of all the known shapes (OpenAI
    /// <c>usage.prompt_tokens</c>/<c>completion_tokens</c>, Anthropic <c>usage.input_tokens</c>/<c>output_tokens</c>,
    /// Gemini <c>usageMetadata</c>, Ollama <c>prompt_eval_count</c>/<c>eval_count</c>, TGI
    /// <c>details.generated_tokens</c>), in that order of preference, and the top-level <c>model</c>.
    /// </summary>
    Generic,

    /// <summary>
    /// OpenAI (and OpenAI-compatible servers): request body <c>model</c>; response <c>model</c> and
    /// <c>usage.prompt_tokens</c>/<c>usage.completion_tokens</c> (the Responses API's
    /// <c>usage.input_tokens</c>/<c>output_tokens</c> are accepted too); streams carry the usage in the last
    /// <c>data:</c> chunk when <c>stream_options.include_usage</c> is set.
    /// </summary>
    OpenAI,

    /// <summary>
    /// Anthropic Claude Messages API: request body <c>model</c>; response <c>model</c> and
    /// <c>usage.input_tokens</c>/<c>usage.output_tokens</c>; streams carry them in the <c>message_start</c>
    /// (<c>message.model</c>, <c>message.usage.input_tokens</c>) and <c>message_delta</c> (<c>usage.output_tokens</c>) events.
    /// </summary>
    Anthropic,

    /// <summary>
    /// Groq (OpenAI-compatible): request body <c>model</c>; response <c>model</c> and
    /// <c>usage.prompt_tokens</c>/<c>usage.completion_tokens</c>; streams carry the usage in the last chunk, as
    /// <c>x_groq.usage</c> (or a top-level <c>usage</c> with <c>stream_options.include_usage</c>).
    /// </summary>
    Groq,

    /// <summary>
    /// Google Gemini API: model from the URL (<c>models/{model}:generateContent</c>,
    /// <c>:streamGenerateContent</c>, <c>:countTokens</c>); response <c>modelVersion</c> and
    /// <c>usageMetadata.promptTokenCount</c>/<c>usageMetadata.candidatesTokenCount</c> (in a stream, the last chunk's).
    /// </summary>
    Gemini,

    /// <summary>
    /// Ollama (<c>/api/generate</c>, <c>/api/chat</c>): request body <c>model</c>; response <c>model</c> and the
    /// top-level <c>prompt_eval_count</c>/<c>eval_count</c>; streams are newline-delimited JSON
    /// (<c>application/x-ndjson</c>) whose final object has <c>"done": true</c> and the counts.
    /// </summary>
    Ollama,

    /// <summary>
    /// Hugging Face Text Generation Inference (<c>/generate</c>, <c>/generate_stream</c>): model from an inference
    /// URL <c>models/{id}</c> (the id may be <c>org/name</c>); completion tokens from <c>details.generated_tokens</c>,
    /// prompt tokens from the length of <c>details.prefill</c> when the server returned it; the response may be a
    /// JSON array of one object; in a stream, the final event's <c>details</c>.
    /// </summary>
    HuggingFaceTgi,

    /// <summary>
    /// Hugging Face Text Embeddings Inference (<c>/embed</c>): model from an inference URL <c>models/{id}</c>.
    /// Embedding responses carry no token counts; an OpenAI-compatible <c>usage</c> object is read when present.
    /// </summary>
    HuggingFaceTei,

    /// <summary>
    /// The IPFS-accelerate "llvm" inference backend. Its response shape is not formally specified; it is assumed to be
    /// OpenAI-compatible: a top-level <c>model</c> and <c>usage.prompt_tokens</c>/<c>usage.completion_tokens</c>
    /// (a bare <c>{"model": …, "usage": {…}}</c> object is accepted).
    /// </summary>
    Llvm,

    /// <summary>
    /// OpenVINO Model Server: model from the URL (<c>v1/models/{model}:predict</c>,
    /// <c>v1/models/{model}/versions/{version}:predict</c>, KServe <c>v2/models/{model}/infer</c>); token counts from
    /// an OpenAI-compatible <c>usage</c> object when present (its <c>/v3/chat/completions</c> endpoints).
    /// </summary>
    Ovms,

    /// <summary>
    /// OPEA (Open Platform for Enterprise AI) services: OpenAI-compatible; request body <c>model</c>; response
    /// <c>model</c> and <c>usage.prompt_tokens</c>/<c>usage.completion_tokens</c>.
    /// </summary>
    Opea,

    /// <summary>
    /// Amazon S3 (and S3-compatible object stores): no model and no tokens are read; responses are not inspected.
    /// With <see cref="Auto"/>, a request to a URL of no known API that carries AWS Signature V4 headers
    /// (<c>x-amz-date</c>, <c>x-amz-content-sha256</c>) is read as S3, and so is a response with <c>x-amz-request-id</c>.
    /// </summary>
    S3,

    /// <summary>
    /// Azure OpenAI (<c>{resource}.openai.azure.com/openai/deployments/{deployment}/chat/completions?api-version=…</c>):
    /// the deployment in the URL is the request's model; bodies and streams are OpenAI's.
    /// </summary>
    AzureOpenAI,
}
