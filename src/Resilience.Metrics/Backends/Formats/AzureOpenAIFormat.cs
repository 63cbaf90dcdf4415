namespace Resilience.Metrics;

/// <summary>
/// <see cref="ApiFormat.AzureOpenAI"/>: Azure OpenAI, <c>https://{resource}.openai.azure.com/openai/deployments/{deployment}/chat/completions?api-version=…</c>.
/// The deployment names the model the request is counted under; the body is OpenAI's, and the response's <c>model</c>
/// names the model behind the deployment.
/// </summary>
internal sealed class AzureOpenAIFormat : ApiFormatDescriptor
{
    private const string Deployments = "/openai/deployments/";

    public override ApiFormat Format => ApiFormat.AzureOpenAI;

    public override string? ProviderName => "azure.ai.openai";

    public override UsageFieldGroups Fields => UsageFieldGroups.Usage | UsageFieldGroups.Model | UsageFieldGroups.Wrappers;

    public override bool Matches(ReadOnlySpan<char> host, ReadOnlySpan<char> path, Uri uri) =>
        host.EndsWith(".openai.azure.com", StringComparison.OrdinalIgnoreCase)
        || path.Contains(Deployments, StringComparison.OrdinalIgnoreCase);

    public override string? ModelFromUrl(ReadOnlySpan<char> path)
    {
        int start = path.IndexOf(Deployments, StringComparison.OrdinalIgnoreCase);
        if (start < 0)
        {
            return null;
        }

        ReadOnlySpan<char> rest = path[(start + Deployments.Length)..];
        int end = rest.IndexOf('/');
        return UrlModels.ToModel(end >= 0 ? rest[..end] : rest);
    }

    public override string OperationOf(ReadOnlySpan<char> path) => OpenAIFormat.Operation(path);

    protected override TokenFields Counts(in UsageFields f) => OpenAIUsage(f);
}
