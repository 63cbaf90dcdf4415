namespace Resilience.Metrics;

/// <summary>
/// Finds the token usage in a streamed response as its bytes arrive: a <c>text/event-stream</c> (server-sent events)
/// body, or, in NDJSON mode, a newline-delimited JSON body (<c>application/x-ndjson</c>, Ollama).
/// </summary>
/// <remarks>
/// <para>
/// Lines end with <c>\n</c>, <c>\r\n</c> or <c>\r</c> and may be split anywhere across chunks. In an event stream,
/// every <c>data:</c> line (with or without the space after the colon) is read as one JSON payload with
/// <see cref="ResponseUsageReader"/>; comments (<c>:</c>…), <c>event:</c>, <c>id:</c>, <c>retry:</c> and blank lines are
/// skipped; <c>data: [DONE]</c> and <c>event: message_stop</c> end the stream. A JSON document spread over several
/// <c>data:</c> lines of one event is not supported (no LLM API sends that). In NDJSON mode every non-blank line is a
/// payload. Fields found in later payloads overwrite earlier ones: OpenAI's final usage chunk, Anthropic's
/// <c>message_start</c> then <c>message_delta</c>, Gemini's last <c>usageMetadata</c>, TGI's final <c>details</c>,
/// Ollama's final <c>"done": true</c> object.
/// </para>
/// <para>
/// Memory is bounded: a line is copied only while it is split across chunks, into a pooled buffer of at most
/// <c>maxLineBytes</c>; a longer line is dropped and skipped to its end without being buffered. Malformed payloads
/// are skipped. Nothing here throws on any input. Not thread-safe. Dispose returns the pooled buffer.
/// </para>
/// </remarks>
internal sealed class EventStreamUsageParser : IDisposable
{
    /// <summary>The default longest line kept: 1 MiB.</summary>
    public const int DefaultMaxLineBytes = 1 << 20;

    private const int InitialBufferBytes = 4 * 1024;
    private const int RetainedBufferBytes = 64 * 1024;

    /// <summary>How many first payloads are always parsed: the model is named in the first chunk of every known stream.</summary>
    private const int ModelSeekingPayloads = 2;

    private readonly ApiFormat _format;
    private readonly UsageFieldGroups _groups;
    private readonly bool _newlineDelimitedJson;
    private readonly int _maxLineBytes;
    private UsageFields _fields = UsageFields.Empty;
    private PooledByteBuffer _line;
    private bool _skippingLine;
    private bool _pendingCarriageReturn;
    private bool _atStart = true;
    private bool _doneMarker;
    private bool _finished;

    /// <summary>Creates a parser.</summary>
    /// <param name="format">The backend's format (which fields to read); <see cref="ApiFormat.Auto"/> reads like <see cref="ApiFormat.Generic"/>.</param>
    /// <param name="newlineDelimitedJson"><see langword="true"/> for NDJSON (every line is JSON), <see langword="false"/> for server-sent events.</param>
    /// <param name="maxLineBytes">The longest line read; longer lines are skipped.</param>
    /// <param name="modelHint">The model name the stream most likely names: an equal name reuses this string.</param>
    public EventStreamUsageParser(ApiFormat format, bool newlineDelimitedJson = false, int maxLineBytes = DefaultMaxLineBytes, string? modelHint = null)
    {
        _fields.ModelHint = modelHint;
        _groups = ApiFormats.Get(format).Fields;
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxLineBytes);
        _format = format;
        _newlineDelimitedJson = newlineDelimitedJson;
        _maxLineBytes = maxLineBytes;
        _line = new PooledByteBuffer(InitialBufferBytes, maxLineBytes);
    }

    /// <summary>Gets the usage found so far (zeros and no model when nothing was found).</summary>
    public TokenUsage Usage => ResponseUsageReader.Resolve(_format, in _fields, out TokenUsage usage) ? usage : default;

    /// <summary>Gets a value indicating whether any token count or the model was found.</summary>
    public bool HasUsage => ResponseUsageReader.Resolve(_format, in _fields, out _);

    /// <summary>
    /// Gets a value indicating whether the stream announced its end: <c>data: [DONE]</c>, Anthropic's
    /// <c>message_stop</c>, Ollama's <c>"done": true</c>, or TGI's final event with <c>details</c>. Gemini streams have no
    /// end marker; for them the end of the body is the end.
    /// </summary>
    public bool Complete => _doneMarker || _fields.EndOfStream;

    /// <summary>Gets the number of JSON payloads (stream events or lines) read so far: the stream's chunks.</summary>
    public int Payloads { get; private set; }

    /// <summary>Gets the number of lines skipped because they were longer than the limit.</summary>
    public int SkippedLongLines { get; private set; }

    /// <summary>Gets the size of the line buffer held now (0 when none).</summary>
    public int BufferCapacity => _line.Capacity;

    /// <summary>Gets the largest line buffer this parser ever held.</summary>
    public int PeakBufferCapacity => _line.PeakCapacity;

    /// <summary>Reads the next bytes of the body.</summary>
    /// <param name="chunk">The bytes, in order, as they arrived.</param>
    public void Feed(ReadOnlySpan<byte> chunk)
    {
        if (_finished)
        {
            return;
        }

        while (!chunk.IsEmpty)
        {
            if (_pendingCarriageReturn)
            {
                _pendingCarriageReturn = false;
                if (chunk[0] == (byte)'\n')
                {
                    chunk = chunk[1..]; // the \n of a \r\n split across chunks
                    continue;
                }
            }

            int end = chunk.IndexOfAny((byte)'\n', (byte)'\r');
            if (end < 0)
            {
                Append(chunk);
                return;
            }

            ReadOnlySpan<byte> tail = chunk[..end];
            if (chunk[end] == (byte)'\r')
            {
                if (end + 1 < chunk.Length)
                {
                    chunk = chunk[(end + (chunk[end + 1] == (byte)'\n' ? 2 : 1))..];
                }
                else
                {
                    _pendingCarriageReturn = true;
                    chunk = default;
                }
            }
            else
            {
                chunk = chunk[(end + 1)..];
            }

            EndLine(tail);
        }
    }

    /// <summary>
    /// Ends the body: reads a last line that had no line terminator. Further input is ignored. The line buffer is
    /// returned to the pool.
    /// </summary>
    public void Finish()
    {
        if (_finished)
        {
            return;
        }

        if (!_skippingLine && _line.Length > 0)
        {
            ProcessLine(_line.Written);
        }

        _finished = true;
        _line.Release();
    }

    /// <summary>Returns the line buffer to the pool; further input is ignored.</summary>
    public void Dispose()
    {
        _finished = true;
        _line.Release();
    }

    private void EndLine(ReadOnlySpan<byte> tail)
    {
        if (_skippingLine)
        {
            _skippingLine = false;
            _line.Clear();
            return;
        }

        if (_line.Length == 0)
        {
            if (tail.Length > _maxLineBytes)
            {
                SkippedLongLines++;
                return;
            }

            ProcessLine(tail); // the whole line is in this chunk: no copy
            return;
        }

        if (!Append(tail))
        {
            _skippingLine = false; // the line ends here anyway
            _line.Clear();
            return;
        }

        ProcessLine(_line.Written);
        _line.Clear();
        if (_line.Capacity > RetainedBufferBytes)
        {
            _line.Release();
        }
    }

    /// <summary>Adds bytes to the current partial line; <see langword="false"/> when the line became too long and is now skipped.</summary>
    private bool Append(ReadOnlySpan<byte> bytes)
    {
        if (_skippingLine)
        {
            return false;
        }

        if (bytes.IsEmpty)
        {
            return true;
        }

        if (!_line.TryAppend(bytes))
        {
            SkippedLongLines++;
            _skippingLine = true;
            _line.Release();
            return false;
        }

        return true;
    }

    private void ProcessLine(ReadOnlySpan<byte> line)
    {
        if (_atStart)
        {
            _atStart = false;
            line = ResponseUsageReader.TrimUtf8Bom(line);
        }

        if (_newlineDelimitedJson)
        {
            ReadPayload(line);
            return;
        }

        if (line.IsEmpty || line[0] == (byte)':')
        {
            return; // event boundary or comment
        }

        int colon = line.IndexOf((byte)':');
        ReadOnlySpan<byte> field = colon >= 0 ? line[..colon] : line;
        ReadOnlySpan<byte> value = colon >= 0 ? line[(colon + 1)..] : default;
        if (!value.IsEmpty && value[0] == (byte)' ')
        {
            value = value[1..];
        }

        if (field.SequenceEqual("data"u8))
        {
            if (value.TrimEnd((byte)' ').SequenceEqual("[DONE]"u8))
            {
                _doneMarker = true;
                return;
            }

            ReadPayload(value);
        }
        else if (field.SequenceEqual("event"u8) && value.TrimEnd((byte)' ').SequenceEqual("message_stop"u8))
        {
            _doneMarker = true;
        }
    }

    private void ReadPayload(ReadOnlySpan<byte> payload)
    {
        payload = payload.TrimStart(" \t"u8);
        if (payload.IsEmpty || (payload[0] != (byte)'{' && payload[0] != (byte)'['))
        {
            return; // not JSON: plain text, a Python bytes literal, …
        }

        Payloads++;

        // Most chunks of a stream carry only generated text: once the first chunks have named the model, a chunk that
        // holds none of the format's usage fields nor an end marker is not parsed (a vectorized search instead of a
        // validating JSON pass per chunk).
        if (Payloads > ModelSeekingPayloads && !StreamChunks.MayCarryUsage(_groups, payload))
        {
            return;
        }

        // Scan into a copy, so a malformed payload changes nothing; seeding the model lets an equal model reuse the string.
        UsageFields scanned = UsageFields.Empty;
        scanned.Model = _fields.Model;
        scanned.ModelVersion = _fields.ModelVersion;
        scanned.ModelHint = _fields.ModelHint;
        if (ResponseUsageReader.TryScan(_format, payload, ref scanned))
        {
            _fields.MergeFrom(in scanned);
        }
    }
}
