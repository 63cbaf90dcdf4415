using System.Text.Json;

namespace Resilience.Metrics;

/// <summary>
/// Reads token counts and the model from a backend's JSON response body with <see cref="Utf8JsonReader"/>.
/// </summary>
/// <remarks>
/// Reading never throws. A document that is not valid JSON (truncated, not UTF-8 where it matters, nested deeper than
/// <see cref="MaxDepth"/>) yields nothing (a whole body read with <see cref="TryReadComplete"/>: except in the part
/// <see cref="TailUsageReader"/> does not read); within a valid document, a count that is not a non-negative integer that
/// fits in 64 bits (negative, fractional, written with an exponent, too large, a string, null) is ignored, and so is a
/// model that is not a string of 1 to <see cref="ModelExtractor.MaxModelLength"/> characters.
/// </remarks>
internal static class ResponseUsageReader
{
    /// <summary>The deepest nesting read; deeper documents are rejected as malformed.</summary>
    public const int MaxDepth = 64;

    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth };

    /// <summary>Reads the token usage of a complete (non-streamed) response body.</summary>
    /// <param name="format">The backend's format; <see cref="ApiFormat.Auto"/> reads like <see cref="ApiFormat.Generic"/>.</param>
    /// <param name="utf8Json">The body, UTF-8 JSON: an object, or an array of objects (TGI, Gemini's JSON-array stream) whose
    /// fields are merged in order.</param>
    /// <param name="usage">What was found.</param>
    /// <param name="readModel"><see langword="false"/> when the caller knows the model already (the request named it):
    /// the body's model is then skipped, not copied into a new string.</param>
    /// <returns><see langword="true"/> when at least one token count or the model was found.</returns>
    public static bool TryRead(ApiFormat format, ReadOnlySpan<byte> utf8Json, out TokenUsage usage, bool readModel = true)
    {
        return TryRead(format, utf8Json, out usage, readModel, modelHint: null);
    }

    /// <summary>Like <see cref="TryRead(ApiFormat, ReadOnlySpan{byte}, out TokenUsage, bool)"/>; a model equal to
    /// <paramref name="modelHint"/> is returned as that very string, so a response naming the model seen last allocates nothing.</summary>
    public static bool TryRead(ApiFormat format, ReadOnlySpan<byte> utf8Json, out TokenUsage usage, bool readModel, string? modelHint) =>
        TryRead(format, utf8Json, out usage, readModel, modelHint, complete: false);

    /// <summary>
    /// Like <see cref="TryRead(ApiFormat, ReadOnlySpan{byte}, out TokenUsage, bool, string?)"/>, for a body known to be
    /// whole (in memory, or loaded to its Content-Length): where a format allows, only the body's start up to its model
    /// and its end from the top-level usage key are read (<see cref="TailUsageReader"/>), so what lies between them is
    /// not checked to be JSON. A body cut short, or collected from a stream the caller may leave early, is read with
    /// <see cref="TryRead(ApiFormat, ReadOnlySpan{byte}, out TokenUsage, bool, string?)"/>.
    /// </summary>
    public static bool TryReadComplete(ApiFormat format, ReadOnlySpan<byte> utf8Json, out TokenUsage usage, bool readModel, string? modelHint) =>
        TryRead(format, utf8Json, out usage, readModel, modelHint, complete: true);

    private static bool TryRead(ApiFormat format, ReadOnlySpan<byte> utf8Json, out TokenUsage usage, bool readModel, string? modelHint, bool complete)
    {
        UsageFields fields = UsageFields.Empty;
        fields.ModelHint = modelHint;
        UsageFieldGroups wanted = ApiFormats.Get(format).Fields;
        if (!readModel)
        {
            wanted &= ~(UsageFieldGroups.Model | UsageFieldGroups.ModelVersion);
        }

        // A whole body is read from its top-level usage key to its end where the key is provably the top-level one;
        // otherwise, and for every other body and stream event (TryScan), the full validating pass.
        bool read = complete && TailUsageReader.TryRead(wanted, TrimUtf8Bom(utf8Json), ref fields);
        if (!read)
        {
            // A tail read that gave up may have filled some fields: the full pass starts afresh.
            fields = UsageFields.Empty;
            fields.ModelHint = modelHint;
            read = TryScan(wanted, utf8Json, ref fields);
        }

        if (!read)
        {
            usage = default;
            return false;
        }

        return Resolve(format, in fields, out usage);
    }

    /// <summary>
    /// Scans one JSON document into <paramref name="fields"/>, overwriting the fields it has. When the document is
    /// malformed, returns <see langword="false"/> and <paramref name="fields"/> may hold part of it: scan into a copy.
    /// A model equal to the one <paramref name="fields"/> already holds reuses that string instead of allocating, so
    /// a stream whose every chunk names the model allocates its name once.
    /// </summary>
    /// <param name="format">The backend's format.</param>
    /// <param name="utf8Json">The document.</param>
    /// <param name="fields">Receives the fields.</param>
    /// <returns><see langword="true"/> when the document was read without error.</returns>
    public static bool TryScan(ApiFormat format, ReadOnlySpan<byte> utf8Json, ref UsageFields fields) =>
        TryScan(ApiFormats.Get(format).Fields, utf8Json, ref fields);

    private static bool TryScan(UsageFieldGroups wanted, ReadOnlySpan<byte> utf8Json, ref UsageFields fields)
    {
        if (wanted == UsageFieldGroups.None)
        {
            return false;
        }

        utf8Json = TrimUtf8Bom(utf8Json);
        try
        {
            var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
            if (!reader.Read())
            {
                return false;
            }

            if (reader.TokenType == JsonTokenType.StartObject)
            {
                ReadObject(ref reader, wanted, topLevel: true, ref fields);
            }
            else if (reader.TokenType == JsonTokenType.StartArray)
            {
                // An array of response objects; anything else (TEI's arrays of embeddings) is not read.
                while (reader.Read() && reader.TokenType == JsonTokenType.StartObject)
                {
                    ReadObject(ref reader, wanted, topLevel: true, ref fields);
                }

                if (reader.TokenType != JsonTokenType.EndArray)
                {
                    return false;
                }
            }
            else
            {
                return false;
            }

            // Anything but white space after the document is malformed (the reader throws).
            return !reader.Read();
        }
        catch (JsonException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>Turns scanned fields into the usage of a format (its descriptor's <see cref="ApiFormatDescriptor.Resolve"/>).</summary>
    /// <returns><see langword="true"/> when at least one token count or the model was found.</returns>
    public static bool Resolve(ApiFormat format, in UsageFields f, out TokenUsage usage) =>
        ApiFormats.Get(format).Resolve(f, out usage);

    /// <summary>Skips a UTF-8 byte order mark, which <see cref="Utf8JsonReader"/> rejects.</summary>
    public static ReadOnlySpan<byte> TrimUtf8Bom(ReadOnlySpan<byte> utf8) =>
        utf8.StartsWith("\uFEFF"u8) ? utf8[3..] : utf8;

    /// <summary>
    /// Reads the current string token as a model name: <see langword="null"/> when it is empty, longer than
    /// <see cref="ModelExtractor.MaxModelLength"/> or not valid UTF-8; <paramref name="hint"/> itself when equal to it.
    /// </summary>
    public static string? ReadModelString(ref Utf8JsonReader reader, string? hint)
    {
        long rawLength = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;

        // An escaped character takes at most 6 bytes (\uXXXX) per UTF-16 unit.
        if (rawLength == 0 || rawLength > ModelExtractor.MaxModelLength * 6)
        {
            return null;
        }

        if (hint is not null && reader.ValueTextEquals(hint))
        {
            return hint;
        }

        string value;
        try
        {
            value = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return null; // not valid UTF-8
        }

        return value.Length is > 0 and <= ModelExtractor.MaxModelLength ? value : null;
    }

    /// <summary>Reads the object the reader is on (at its StartObject) and leaves the reader on its EndObject.</summary>
    internal static void ReadObject(ref Utf8JsonReader reader, UsageFieldGroups wanted, bool topLevel, ref UsageFields f)
    {
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ReadMember(ref reader, wanted, topLevel, ref f);
        }
    }

    /// <summary>Reads one member of an object (the reader is on its name) and leaves the reader on its value's last token.</summary>
    internal static void ReadMember(ref Utf8JsonReader reader, UsageFieldGroups wanted, bool topLevel, ref UsageFields f)
    {
        if ((wanted & UsageFieldGroups.Model) != 0 && reader.ValueTextEquals("model"u8))
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.String)
            {
                f.Model = ReadModelString(ref reader, f.Model ?? f.ModelHint) ?? f.Model;
            }
            else
            {
                reader.Skip();
            }
        }
        else if ((wanted & UsageFieldGroups.Usage) != 0 && reader.ValueTextEquals("usage"u8))
        {
            reader.Read();
            UsageObjectReader.ReadUsage(ref reader, ref f);
        }
        else if (!topLevel)
        {
            reader.Skip();
        }
        else if ((wanted & UsageFieldGroups.UsageMetadata) != 0 && reader.ValueTextEquals("usageMetadata"u8))
        {
            reader.Read();
            UsageObjectReader.ReadUsageMetadata(ref reader, ref f);
        }
        else if ((wanted & UsageFieldGroups.ModelVersion) != 0 && reader.ValueTextEquals("modelVersion"u8))
        {
            reader.Read();
            if (reader.TokenType == JsonTokenType.String)
            {
                f.ModelVersion = ReadModelString(ref reader, f.ModelVersion ?? f.ModelHint) ?? f.ModelVersion;
            }
            else
            {
                reader.Skip();
            }
        }
        else if ((wanted & UsageFieldGroups.OllamaCounts) != 0 && reader.ValueTextEquals("prompt_eval_count"u8))
        {
            reader.Read();
            UsageObjectReader.ReadCount(ref reader, ref f.OllamaPromptEvalCount);
        }
        else if ((wanted & UsageFieldGroups.OllamaCounts) != 0 && reader.ValueTextEquals("eval_count"u8))
        {
            reader.Read();
            UsageObjectReader.ReadCount(ref reader, ref f.OllamaEvalCount);
        }
        else if ((wanted & UsageFieldGroups.TgiDetails) != 0 && reader.ValueTextEquals("details"u8))
        {
            reader.Read();
            UsageObjectReader.ReadTgiDetails(ref reader, ref f);
        }
        else if ((wanted & UsageFieldGroups.Wrappers) != 0
            && (reader.ValueTextEquals("message"u8) || reader.ValueTextEquals("response"u8) || reader.ValueTextEquals("x_groq"u8)))
        {
            // Anthropic's message_start event: {"message": {"model": …, "usage": {…}}};
            // OpenAI Responses API events: {"response": {"model": …, "usage": {…}}};
            // Groq's last stream chunk: {"x_groq": {"usage": {…}}}.
            reader.Read();
            if (reader.TokenType == JsonTokenType.StartObject)
            {
                ReadObject(ref reader, wanted, topLevel: false, ref f);
            }
            else
            {
                reader.Skip();
            }
        }
        else if ((wanted & UsageFieldGroups.EndMarkers) != 0 && reader.ValueTextEquals("done"u8))
        {
            reader.Read();
            f.EndOfStream |= reader.TokenType == JsonTokenType.True;
        }
        else if ((wanted & UsageFieldGroups.EndMarkers) != 0 && reader.ValueTextEquals("type"u8))
        {
            reader.Read();
            f.EndOfStream |= reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("message_stop"u8);
            reader.Skip();
        }
        else
        {
            reader.Skip();
        }
    }
}
