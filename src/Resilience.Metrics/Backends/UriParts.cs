namespace Resilience.Metrics;

/// <summary>
/// Reads the host and the path of a request URI as spans of <see cref="Uri.OriginalString"/>, so detecting a
/// backend's format does not allocate (<see cref="Uri.Host"/> and <see cref="Uri.AbsolutePath"/> allocate on first use
/// of every new <see cref="Uri"/> instance).
/// </summary>
internal static class UriParts
{
    /// <summary>Splits an absolute URI into its host (without user info, port, brackets kept for IPv6) and path.</summary>
    /// <returns><see langword="false"/> when <paramref name="uri"/> is null or relative.</returns>
    public static bool TryGetHostAndPath(Uri? uri, out ReadOnlySpan<char> host, out ReadOnlySpan<char> path)
    {
        host = default;
        path = default;
        if (uri is null || !uri.IsAbsoluteUri)
        {
            return false;
        }

        ReadOnlySpan<char> text = uri.OriginalString.AsSpan().Trim();
        int schemeEnd = text.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd <= 0 || text.Contains('\\') || text.Contains('%'))
        {
            // Unusual spellings (back slashes, escapes): let Uri normalise them. This allocates, and is rare.
            host = uri.Host;
            path = uri.AbsolutePath;
            return true;
        }

        ReadOnlySpan<char> rest = text[(schemeEnd + 3)..];
        int authorityEnd = rest.IndexOfAny('/', '?', '#');
        if (authorityEnd < 0)
        {
            authorityEnd = rest.Length;
        }

        ReadOnlySpan<char> authority = rest[..authorityEnd];
        int at = authority.LastIndexOf('@');
        if (at >= 0)
        {
            authority = authority[(at + 1)..];
        }

        if (authority.StartsWith('['))
        {
            int close = authority.IndexOf(']');
            host = close > 0 ? authority[..(close + 1)] : authority;
        }
        else
        {
            int colon = authority.IndexOf(':');
            host = colon >= 0 ? authority[..colon] : authority;
        }

        if (host.EndsWith('.'))
        {
            host = host[..^1];
        }

        ReadOnlySpan<char> afterAuthority = rest[authorityEnd..];
        int pathEnd = afterAuthority.IndexOfAny('?', '#');
        path = pathEnd >= 0 ? afterAuthority[..pathEnd] : afterAuthority;
        return true;
    }
}
