namespace Resilience.Metrics;

/// <summary><see cref="ApiFormat.Groq"/>: OpenAI-compatible; a stream's usage comes in the last chunk's <c>x_groq</c>.</summary>
internal sealed class GroqFormat : OpenAICompatibleFormat
{
    public override ApiFormat Format => ApiFormat.Groq;

    public override string? ProviderName => "groq";

    public override bool Matches(ReadOnlySpan<char> host, ReadOnlySpan<char> path, Uri uri) =>
        host.Equals("api.groq.com", StringComparison.OrdinalIgnoreCase);
}
