using System.Text.Json;

namespace Resilience.Metrics;

/// <summary>
/// The fast way through a complete JSON response whose top-level object holds its counts in a <c>usage</c> (or
/// Gemini's <c>usageMetadata</c>) member: instead of tokenizing the whole body, finds that member's key with a
/// vectorized search from the end, reads from the key to the end of the body as the rest of the top-level object, and
/// reads the body's start only up to its <c>model</c>. The generated content between them is not tokenized.
/// </summary>
/// <remarks>
/// <para>Why the key found is the top-level one: in JSON an unescaped <c>"</c> always delimits a string, and one
/// preceded by <c>{</c> or <c>,</c> (white space between) starts a key or value; <c>"usage"</c> there followed by
/// <c>:</c> is a key named exactly <c>usage</c>. The tail is read by <see cref="Utf8JsonReader"/> in the state it has
/// just after an object's <c>{</c>, so it must be the key's value, then any further members, then exactly one
/// <c>}</c> and nothing but white space: the key is at depth 1 of a body that starts with <c>{</c>. A key nested
/// deeper (a tool call's input holding a <c>usage</c> key, the OpenAI Responses API's wrapper) fails that check.</para>
/// <para>Anything this cannot decide (no such key, a tail that is not that, a body that is an array, a format whose
/// fields may lie anywhere) returns <see langword="false"/>, and the caller reads the body the full way.</para>
/// </remarks>
internal static class TailUsageReader
{
    /// <summary>The groups this reader handles: everything else (Ollama's and TGI's top-level counts, an unknown API)
    /// may lie anywhere in the body.</summary>
    private const UsageFieldGroups Supported =
        UsageFieldGroups.Usage | UsageFieldGroups.UsageMetadata | UsageFieldGroups.Model | UsageFieldGroups.ModelVersion
        | UsageFieldGroups.Wrappers | UsageFieldGroups.EndMarkers;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = ResponseUsageReader.MaxDepth };

    /// <summary>A reader's state just after the <c>{</c> of a top-level object: the tail is read as that object's rest.</summary>
    private static readonly JsonReaderState InsideTopLevelObject = StateAfterOpeningBrace();

    /// <summary>
    /// Reads <paramref name="utf8Json"/> (without a byte order mark) the fast way, into <paramref name="fields"/>.
    /// </summary>
    /// <returns><see langword="true"/> when read; <see langword="false"/> when the body must be read the full way
    /// (<paramref name="fields"/> may then hold part of it: read into a copy).</returns>
    public static bool TryRead(UsageFieldGroups wanted, ReadOnlySpan<byte> utf8Json, ref UsageFields fields)
    {
        if ((wanted & ~Supported) != 0)
        {
            return false;
        }

        // Exactly one of the two count objects: an unknown mix is read the full way.
        ReadOnlySpan<byte> key = (wanted & (UsageFieldGroups.Usage | UsageFieldGroups.UsageMetadata)) switch
        {
            UsageFieldGroups.Usage => "\"usage\""u8,
            UsageFieldGroups.UsageMetadata => "\"usageMetadata\""u8,
            _ => default,
        };
        int keyStart = key.IsEmpty ? -1 : FindKey(utf8Json, key);
        if (keyStart < 0 || FirstNonWhiteSpace(utf8Json) != (byte)'{')
        {
            return false;
        }

        try
        {
            if ((wanted & UsageFieldGroups.Model) != 0 && !ReadHead(wanted, utf8Json, keyStart, ref fields))
            {
                return false;
            }

            var tail = new Utf8JsonReader(utf8Json[keyStart..], isFinalBlock: true, InsideTopLevelObject);
            ResponseUsageReader.ReadObject(ref tail, wanted, topLevel: true, ref fields);
            if (tail.TokenType != JsonTokenType.EndObject || tail.CurrentDepth != 0 || tail.Read())
            {
                return false;
            }
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }

        // Gemini's modelVersion follows its usageMetadata; one written before it is found by the full read.
        return (wanted & UsageFieldGroups.ModelVersion) == 0 || fields.ModelVersion is not null;
    }

    /// <summary>
    /// Reads the top-level members before the count key until one names the model (the response's own, which every
    /// supported format writes before its content).
    /// </summary>
    /// <returns><see langword="false"/> when the object ended before the key: not a body this reader handles.</returns>
    private static bool ReadHead(UsageFieldGroups wanted, ReadOnlySpan<byte> utf8Json, int keyStart, ref UsageFields fields)
    {
        var head = new Utf8JsonReader(utf8Json, ReaderOptions);
        head.Read(); // the top-level object's start: the body starts with '{'
        while (fields.Model is null)
        {
            if (!head.Read() || head.TokenType != JsonTokenType.PropertyName)
            {
                return false;
            }

            if (head.TokenStartIndex >= keyStart)
            {
                // The count key itself: everything before it was read. Past it: the key was inside a member.
                return head.TokenStartIndex == keyStart;
            }

            ResponseUsageReader.ReadMember(ref head, wanted, topLevel: true, ref fields);
        }

        return true;
    }

    /// <summary>
    /// The offset of the last <paramref name="key"/> (quotes included) that starts a key or value: preceded, white
    /// space apart, by <c>{</c> or <c>,</c>; -1 when there is none.
    /// </summary>
    private static int FindKey(ReadOnlySpan<byte> utf8Json, ReadOnlySpan<byte> key)
    {
        ReadOnlySpan<byte> before = utf8Json;
        while (true)
        {
            int at = before.LastIndexOf(key);
            if (at < 0)
            {
                return -1;
            }

            before = before[..at];
            int previous = before.TrimEnd(" \t\r\n"u8).Length - 1;
            if (previous >= 0 && before[previous] is (byte)'{' or (byte)',')
            {
                return at;
            }
        }
    }

    private static byte FirstNonWhiteSpace(ReadOnlySpan<byte> utf8Json)
    {
        int first = utf8Json.IndexOfAnyExcept(" \t\r\n"u8);
        return first < 0 ? (byte)0 : utf8Json[first];
    }

    private static JsonReaderState StateAfterOpeningBrace()
    {
        var reader = new Utf8JsonReader("{"u8, isFinalBlock: false, new JsonReaderState(ReaderOptions));
        reader.Read();
        return reader.CurrentState;
    }
}
