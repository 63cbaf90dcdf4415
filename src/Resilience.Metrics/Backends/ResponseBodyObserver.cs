namespace Resilience.Metrics;

/// <summary>
/// Watches the bytes of one response body as the caller reads them (through <see cref="UsageObservingContent"/>) and,
/// once the body has ended, been disposed or failed, tells its <see cref="IResponseBodySink"/>, once.
/// </summary>
/// <remarks>
/// Every entry point swallows its own faults: a problem here turns into "no usage", never into an exception for the
/// caller. A lock makes the callbacks safe against a dispose racing a read. A body the caller drops without reading
/// it to its end or disposing it ends when the garbage collector reclaims it (the finalizer), so the request it
/// belongs to is still counted and its queue slot freed.
/// </remarks>
internal sealed class ResponseBodyObserver
{
    private readonly Lock _gate = new();
    private readonly ApiFormat _format;
    private readonly ObservedBodyKind _kind;
    private readonly int _maxBytes;
    private readonly IResponseBodySink? _sink;
    private readonly string? _modelHint;
    private EventStreamUsageParser? _parser;
    private PooledByteBuffer _json;
    private bool _jsonOverflow;
    private bool _closed;
    private bool _firstByteSeen;
    private bool _broken;

    /// <summary>Creates an observer.</summary>
    /// <param name="format">The backend's format.</param>
    /// <param name="kind">How the body is read.</param>
    /// <param name="maxBytes">The JSON size limit and the longest stream line read.</param>
    /// <param name="sink">Hears the body's first byte, chunks and end.</param>
    /// <param name="modelHint">The model name the body most likely names: an equal name reuses this string.</param>
    public ResponseBodyObserver(ApiFormat format, ObservedBodyKind kind, int maxBytes, IResponseBodySink? sink, string? modelHint = null)
    {
        _format = format;
        _kind = kind;
        _maxBytes = maxBytes;
        _json = new PooledByteBuffer(16 * 1024, maxBytes);
        _sink = sink;
        _modelHint = modelHint;
        if (sink is null)
        {
            GC.SuppressFinalize(this);
        }
    }

    /// <summary>A body nobody read to its end or disposed: it ends now, with what was read.</summary>
    ~ResponseBodyObserver() => Finish(report: true, failure: null);

    /// <summary>Gets the most bytes this observer ever held in buffers (line buffer or JSON buffer capacity).</summary>
    public int PeakBufferedBytes
    {
        get
        {
            lock (_gate)
            {
                return Math.Max(_json.PeakCapacity, _parser?.PeakBufferCapacity ?? 0);
            }
        }
    }

    /// <summary>Gets a value indicating whether observation has ended (end of body, dispose, or seek).</summary>
    public bool IsClosed
    {
        get
        {
            lock (_gate)
            {
                return _closed;
            }
        }
    }

    /// <summary>Takes the next bytes the caller read.</summary>
    public void Observe(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        int chunks = 0;
        bool first = false;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            first = !_firstByteSeen;
            _firstByteSeen = true;
            try
            {
                if (_kind == ObservedBodyKind.Json)
                {
                    Collect(data);
                }
                else
                {
                    _parser ??= new EventStreamUsageParser(_format, _kind == ObservedBodyKind.NewlineDelimitedJson, _maxBytes, _modelHint);
                    int before = _parser.Payloads;
                    _parser.Feed(data);
                    chunks = _parser.Payloads - before;
                }
            }
#pragma warning disable CA1031 // Monitoring must never break the caller's request.
            catch (Exception)
#pragma warning restore CA1031
            {
                // Nothing read from this body can be trusted any more; the body itself goes on.
                _broken = true;
                _parser?.Dispose();
                _json.Release();
            }
        }

        if (_sink is null || (!first && chunks == 0))
        {
            return;
        }

        try
        {
            if (first)
            {
                _sink.OnFirstByte();
            }

            if (chunks > 0)
            {
                _sink.OnChunks(chunks);
            }
        }
#pragma warning disable CA1031 // A faulty sink must not surface in the caller's read.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>The observer was never attached to a body: it ends silently, and its finalizer does nothing.</summary>
    public void Discard()
    {
        lock (_gate)
        {
            CloseLocked();
        }

#pragma warning disable CA1816 // The finalizer is the backstop for a body nobody ended; this one has none.
        GC.SuppressFinalize(this);
#pragma warning restore CA1816
    }

    /// <summary>The body ended (a read returned 0, or a copy completed): reports the usage.</summary>
    public void OnEndOfBody() => Finish(report: true, failure: null);

    /// <summary>The caller disposed the body: reports what was found, when the end was not seen.</summary>
    public void OnDisposed() => Finish(report: true, failure: null);

    /// <summary>A read of the body threw: the request failed in the middle of its body.</summary>
    public void OnFailed(Exception failure) => Finish(report: true, failure);

    /// <summary>The caller moved the stream position: the bytes no longer come in order, so no usage is reported.</summary>
    public void Abandon() => Finish(report: false, failure: null);

    private void Finish(bool report, Exception? failure)
    {
        TokenUsage usage = default;
        bool found = false;
        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            try
            {
                if (report && !_broken)
                {
                    found = _kind == ObservedBodyKind.Json ? ReadCollectedJson(out usage) : FinishParser(out usage);
                }
            }
#pragma warning disable CA1031 // Monitoring must never break the caller's request.
            catch (Exception)
#pragma warning restore CA1031
            {
                found = false;
            }

            CloseLocked();
        }

#pragma warning disable CA1816 // The finalizer is the backstop for a body nobody ended; once ended, it has nothing to do.
        GC.SuppressFinalize(this);
#pragma warning restore CA1816
        try
        {
            _sink?.OnCompleted(found ? usage : default, found, failure);
        }
#pragma warning disable CA1031 // A faulty sink must not surface in the caller's read.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>
    /// Reads the collected body as one JSON document, or, when it is not one, as newline-delimited JSON (streams of
    /// JSON objects sent as <c>application/json</c>).
    /// </summary>
    private bool ReadCollectedJson(out TokenUsage usage)
    {
        usage = default;
        if (_jsonOverflow || _json.Length == 0)
        {
            return false;
        }

        ReadOnlySpan<byte> body = _json.Written;
        if (ResponseUsageReader.TryRead(_format, body, out usage))
        {
            return true;
        }

        using var lines = new EventStreamUsageParser(_format, newlineDelimitedJson: true, _maxBytes);
        lines.Feed(body);
        lines.Finish();
        usage = lines.Usage;
        return lines.HasUsage;
    }

    private bool FinishParser(out TokenUsage usage)
    {
        if (_parser is null)
        {
            usage = default;
            return false;
        }

        _parser.Finish();
        usage = _parser.Usage;
        return _parser.HasUsage;
    }

    private void CloseLocked()
    {
        _closed = true;
        _parser?.Dispose();
        _json.Release();
    }

    private void Collect(ReadOnlySpan<byte> data)
    {
        // Larger than the limit: stop collecting; the document cannot be read.
        if (!_jsonOverflow && !_json.TryAppend(data))
        {
            _jsonOverflow = true;
            _json.Release();
        }
    }
}
