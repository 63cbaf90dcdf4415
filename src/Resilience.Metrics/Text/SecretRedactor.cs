using System.Text.RegularExpressions;

namespace Resilience.Metrics;

/// <summary>
/// Removes credentials from text that leaves the library (trace error messages): bearer and basic tokens, key=value
/// pairs whose name says key / token / secret / signature, well-known API key shapes, and user:password in URLs.
/// </summary>
internal static partial class SecretRedactor
{
    public const string Mask = "[REDACTED]";

    public static string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = AuthorizationScheme().Replace(text, "$1 " + Mask);
        text = NamedSecret().Replace(text, "$1$2" + Mask);
        text = KnownKeyShape().Replace(text, Mask);
        return UrlUserInfo().Replace(text, "://" + Mask + "@");
    }

    [GeneratedRegex(@"\b(Bearer|Basic|Token)\s+[A-Za-z0-9\-._~+/]+=*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AuthorizationScheme();

    [GeneratedRegex(@"(?<![A-Za-z0-9])((?:x-)?(?:api[-_]?key|access[-_]?token|auth[-_]?token|token|key|secret|password|passwd|pwd|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|authorization|credential)""?)(\s*[=:]\s*""?)[^&\s""',;}]+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NamedSecret();

    [GeneratedRegex(@"\b(?:sk-(?:ant-|proj-)?[A-Za-z0-9_\-]{8,}|gsk_[A-Za-z0-9]{8,}|hf_[A-Za-z0-9]{8,}|AIza[0-9A-Za-z_\-]{20,}|AKIA[0-9A-Z]{16})", RegexOptions.CultureInvariant)]
    private static partial Regex KnownKeyShape();

    [GeneratedRegex(@"://[^/\s:@]+:[^/\s@]+@", RegexOptions.CultureInvariant)]
    private static partial Regex UrlUserInfo();
}
