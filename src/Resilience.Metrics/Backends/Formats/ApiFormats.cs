namespace Resilience.Metrics;

/// <summary>The descriptor of every <see cref="ApiFormat"/>, and the order <see cref="ApiFormat.Auto"/> tries them in.</summary>
internal static class ApiFormats
{
    private static readonly ApiFormatDescriptor Generic = new GenericFormat();

    private static readonly ApiFormatDescriptor[] ByFormat = Index(
        Generic, new OpenAIFormat(), new AnthropicFormat(), new GroqFormat(), new GeminiFormat(), new OllamaFormat(),
        new TgiFormat(), new TeiFormat(), new LlvmFormat(), new OvmsFormat(), new OpeaFormat(), new S3Format(), new AzureOpenAIFormat());

    /// <summary>
    /// First match wins: Azure's deployment paths before the OpenAI-compatible paths they end with; Groq's host before
    /// them too (its stream usage sits in <c>x_groq</c>); OpenAI-compatible paths before any host, because every server
    /// that answers them (Ollama, TGI, vLLM, Gemini's and Anthropic's compatibility endpoints) answers in OpenAI's shape.
    /// </summary>
    public static readonly ApiFormatDescriptor[] DetectionOrder =
    [
        Get(ApiFormat.AzureOpenAI), Get(ApiFormat.Groq), Get(ApiFormat.OpenAI), Get(ApiFormat.Anthropic), Get(ApiFormat.Gemini),
        Get(ApiFormat.S3), Get(ApiFormat.Ollama), Get(ApiFormat.Ovms), Get(ApiFormat.HuggingFaceTgi), Get(ApiFormat.HuggingFaceTei),
    ];

    /// <summary>The descriptor of <paramref name="format"/>; <see cref="ApiFormat.Auto"/> and unknown values read as Generic.</summary>
    public static ApiFormatDescriptor Get(ApiFormat format) =>
        (uint)format < (uint)ByFormat.Length && ByFormat[(int)format] is { } descriptor ? descriptor : Generic;

    private static ApiFormatDescriptor[] Index(params ApiFormatDescriptor[] descriptors)
    {
        var byFormat = new ApiFormatDescriptor[descriptors.Max(d => (int)d.Format) + 1];
        foreach (var descriptor in descriptors)
        {
            byFormat[(int)descriptor.Format] = descriptor;
        }

        return byFormat;
    }
}
