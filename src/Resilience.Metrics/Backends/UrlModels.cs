namespace Resilience.Metrics;

/// <summary>The URL shapes that name a model, shared by the formats whose URLs carry one.</summary>
internal static class UrlModels
{
    /// <summary><c>…/models/{model}:action</c> or <c>…/models/{model}/versions/{version}:action</c>.</summary>
    public static string? FromActionPath(ReadOnlySpan<char> path)
    {
        int lastSlash = path.LastIndexOf('/');
        if (lastSlash < 0)
        {
            return null;
        }

        ReadOnlySpan<char> last = path[(lastSlash + 1)..];
        int colon = last.IndexOf(':');
        if (colon <= 0 || colon == last.Length - 1)
        {
            return null;
        }

        ReadOnlySpan<char> name = last[..colon];
        ReadOnlySpan<char> parent = path[..lastSlash];
        if (EndsWithSegment(parent, "versions"))
        {
            // {model}/versions/{version}:action
            parent = parent[..^"versions".Length].TrimEnd('/');
            int modelSlash = parent.LastIndexOf('/');
            if (modelSlash < 0)
            {
                return null;
            }

            name = parent[(modelSlash + 1)..];
            parent = parent[..modelSlash];
        }

        return EndsWithSegment(parent, "models") ? ToModel(name) : null;
    }

    /// <summary>The segment after <c>/models/</c> up to the next <c>/</c> or <c>:</c> (OVMS status, metadata, KServe).</summary>
    public static string? FromModelSegment(ReadOnlySpan<char> path)
    {
        int index = path.IndexOf("/models/", StringComparison.Ordinal);
        if (index < 0)
        {
            return null;
        }

        ReadOnlySpan<char> rest = path[(index + "/models/".Length)..];
        int end = rest.IndexOfAny('/', ':');
        return ToModel(end >= 0 ? rest[..end] : rest);
    }

    /// <summary><c>…/models/{id}</c>, <c>…/models/{org}/{name}</c>, optionally followed by an API path.</summary>
    public static string? FromHuggingFacePath(ReadOnlySpan<char> path)
    {
        int index = path.IndexOf("/models/", StringComparison.Ordinal);
        if (index < 0)
        {
            return null;
        }

        ReadOnlySpan<char> rest = path[(index + "/models/".Length)..].TrimEnd('/');
        int firstSlash = rest.IndexOf('/');
        if (firstSlash < 0)
        {
            return ToModel(rest);
        }

        ReadOnlySpan<char> second = rest[(firstSlash + 1)..];
        int secondSlash = second.IndexOf('/');
        ReadOnlySpan<char> secondSegment = secondSlash >= 0 ? second[..secondSlash] : second;
        if (secondSegment.IsEmpty || IsApiPathWord(secondSegment))
        {
            return ToModel(rest[..firstSlash]);
        }

        return ToModel(rest[..(firstSlash + 1 + secondSegment.Length)]);
    }

    private static bool IsApiPathWord(ReadOnlySpan<char> segment) =>
        segment is "pipeline" or "v1" or "v2" or "generate" or "generate_stream" or "embed" or "embed_all"
            or "embed_sparse" or "rerank" or "predict" or "tokenize" or "info" or "health" or "metrics" or "chat"
            or "completions" or "embeddings";

    private static bool EndsWithSegment(ReadOnlySpan<char> path, string segment) =>
        path.EndsWith(segment, StringComparison.Ordinal)
        && (path.Length == segment.Length || path[path.Length - segment.Length - 1] == '/');

    public static string? ToModel(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.Length > ModelExtractor.MaxModelLength * 3)
        {
            return null;
        }

        string model = name.ToString();
        if (name.Contains('%'))
        {
            model = Uri.UnescapeDataString(model);
        }

        return model.Length is > 0 and <= ModelExtractor.MaxModelLength ? model : null;
    }
}
