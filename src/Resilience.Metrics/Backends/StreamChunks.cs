namespace Resilience.Metrics;

/// <summary>
/// Tells, without parsing, whether a stream chunk's JSON may hold what the reader looks for: a usage object of one of
/// the format's field groups, or an end marker. A chunk that may is parsed; one that surely does not (generated text
/// only) is skipped. The test errs on the side of parsing: any occurrence of a field name is enough, except that
/// <c>"usage": null</c>, <c>"details": null</c> and <c>"done": false</c> (on every chunk of OpenAI with
/// <c>include_usage</c>, TGI and Ollama) do not count.
/// </summary>
internal static class StreamChunks
{
    public static bool MayCarryUsage(UsageFieldGroups groups, ReadOnlySpan<byte> json) =>
        ((groups & (UsageFieldGroups.Usage | UsageFieldGroups.Wrappers)) != 0 && HasObjectField(json, "\"usage\""u8))
        || ((groups & UsageFieldGroups.UsageMetadata) != 0 && json.IndexOf("\"usageMetadata\""u8) >= 0)
        || ((groups & UsageFieldGroups.OllamaCounts) != 0 && json.IndexOf("eval_count\""u8) >= 0)
        || ((groups & UsageFieldGroups.TgiDetails) != 0 && HasObjectField(json, "\"details\""u8))
        || ((groups & UsageFieldGroups.EndMarkers) != 0 && (HasField(json, "\"done\""u8, "true"u8) || json.IndexOf("message_stop"u8) >= 0));

    /// <summary>Whether <paramref name="name"/> (quoted) occurs followed by <c>:</c> and an object.</summary>
    private static bool HasObjectField(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name) => HasField(json, name, "{"u8);

    /// <summary>Whether <paramref name="name"/> (quoted) occurs followed by <c>:</c> and a value starting with <paramref name="value"/>.</summary>
    private static bool HasField(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value)
    {
        while (true)
        {
            var at = json.IndexOf(name);
            if (at < 0)
            {
                return false;
            }

            var rest = json[(at + name.Length)..].TrimStart(" \t\r\n"u8);
            if (!rest.IsEmpty && rest[0] == (byte)':')
            {
                rest = rest[1..].TrimStart(" \t\r\n"u8);
                if (rest.StartsWith(value))
                {
                    return true;
                }
            }

            json = json[(at + name.Length)..];
        }
    }
}
