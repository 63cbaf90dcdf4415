using System.Text.Json;

namespace Resilience.Metrics;

/// <summary>
/// Reads the objects that hold token counts (<c>usage</c>, <c>usageMetadata</c>, TGI's <c>details</c>) into
/// <see cref="UsageFields"/>: the value-level half of <see cref="ResponseUsageReader"/>, which finds those objects.
/// </summary>
/// <remarks>Each method starts with the reader on the object's value and leaves it on that value's last token.</remarks>
internal static class UsageObjectReader
{
    /// <summary>Reads a <c>usage</c> object (the reader is on its value); skips any other value.</summary>
    public static void ReadUsage(ref Utf8JsonReader reader, ref UsageFields f)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("prompt_tokens"u8))
            {
                reader.Read();
                ReadCount(ref reader, ref f.UsagePromptTokens);
            }
            else if (reader.ValueTextEquals("completion_tokens"u8))
            {
                reader.Read();
                ReadCount(ref reader, ref f.UsageCompletionTokens);
            }
            else if (reader.ValueTextEquals("input_tokens"u8))
            {
                reader.Read();
                ReadCount(ref reader, ref f.UsageInputTokens);
            }
            else if (reader.ValueTextEquals("output_tokens"u8))
            {
                reader.Read();
                ReadCount(ref reader, ref f.UsageOutputTokens);
            }
            else if (reader.ValueTextEquals("prompt_tokens_details"u8) || reader.ValueTextEquals("input_tokens_details"u8))
            {
                reader.Read();
                ReadDetail(ref reader, "cached_tokens"u8, ref f.UsageCachedTokens);
            }
            else if (reader.ValueTextEquals("completion_tokens_details"u8) || reader.ValueTextEquals("output_tokens_details"u8))
            {
                reader.Read();
                ReadDetail(ref reader, "reasoning_tokens"u8, ref f.UsageReasoningTokens);
            }
            else if (reader.ValueTextEquals("cache_read_input_tokens"u8))
            {
                reader.Read();
                ReadCount(ref reader, ref f.UsageCacheReadInputTokens);
            }
            else if (reader.ValueTextEquals("cache_creation_input_tokens"u8))
            {
                reader.Read();
                ReadCount(ref reader, ref f.UsageCacheCreationInputTokens);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    /// <summary>Reads Gemini's <c>usageMetadata</c> object (the reader is on its value); skips any other value.</summary>
    public static void ReadUsageMetadata(ref Utf8JsonReader reader, ref UsageFields f)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("promptTokenCount"u8))
            {
                reader.Read();
                ReadCount(ref reader, ref f.GeminiPromptTokens);
            }
            else if (reader.ValueTextEquals("candidatesTokenCount"u8))
            {
                reader.Read();
                ReadCount(ref reader, ref f.GeminiCandidatesTokens);
            }
            else if (reader.ValueTextEquals("cachedContentTokenCount"u8))
            {
                reader.Read();
                ReadCount(ref reader, ref f.GeminiCachedTokens);
            }
            else if (reader.ValueTextEquals("thoughtsTokenCount"u8))
            {
                reader.Read();
                ReadCount(ref reader, ref f.GeminiThoughtsTokens);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    /// <summary>Reads TGI's <c>details</c> object (the reader is on its value); skips any other value.</summary>
    public static void ReadTgiDetails(ref Utf8JsonReader reader, ref UsageFields f)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip(); // null in every streamed event but the last
            return;
        }

        f.EndOfStream = true;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("generated_tokens"u8))
            {
                reader.Read();
                ReadCount(ref reader, ref f.TgiGeneratedTokens);
            }
            else if (reader.ValueTextEquals("prefill"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                long count = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    count++;
                    reader.Skip();
                }

                if (count > 0)
                {
                    f.TgiPrefillTokens = count;
                }
            }
            else
            {
                reader.Skip();
            }
        }
    }

    /// <summary>Reads one count of a <c>*_tokens_details</c> object (the reader is on its start); skips the rest.</summary>
    private static void ReadDetail(ref Utf8JsonReader reader, ReadOnlySpan<byte> name, ref long field)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            bool wanted = reader.ValueTextEquals(name);
            reader.Read();
            if (wanted)
            {
                ReadCount(ref reader, ref field);
            }
            else
            {
                reader.Skip();
            }
        }
    }

    /// <summary>Reads the value the reader is on as a count, when it is a non-negative integer; skips it otherwise.</summary>
    public static void ReadCount(ref Utf8JsonReader reader, ref long field)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            if (reader.TryGetInt64(out long value) && value >= 0)
            {
                field = value;
            }
        }
        else
        {
            reader.Skip();
        }
    }
}
