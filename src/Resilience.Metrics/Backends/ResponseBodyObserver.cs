namespace Resilience.Metrics;

/// <summary>How an observed response body is read.</summary>
internal enum ObservedBodyKind
{
    /// <summary>Server-sent events (<c>text/event-stream</c>).</summary>
    EventStream,

    /// <summary>Newline-delimited JSON (<c>application/x-ndjson</c>).</summary>
    NewlineDelimitedJson,

    /// <summary>One JSON document of unknown length, collected up to the size limit and read at the end.</summary>
    Json,
}

/// <summary>
/// Watches the bytes of one response body as the caller reads them (through <see cref="UsageObservingContent"/>) and,
/// once the body has ended or been disposed, reports the usage found, once.
/// </summary>
/// <remarks>
/// Every entry point swallows its own faults: a problem here turns into "no usage", never into an exception for the
/// caller. A lock makes the callbacks safe against a dispose racing a read.
/// </remarks>
internal sealed class ResponseBodyObserver
{
    private readonly Lock _gate = new();
    private readonly ApiFormat _format;
    private readonly ObservedBodyKind _kind;
    private readonly int _maxBytes;
    private readonly Action<TokenUsage>? _onUsage;
    private Action? _onFirstByte;
    private EventStreamUsageParser? _parser;
    private PooledByteBuffer _json;
    private bool _jsonOverflow;
    private bool _closed;
    private int _reportCount;

    /// <summary>Creates an observer.</summary>
    /// <param name="format">The backend's format.</param>
    /// <param name="kind">How the body is read.</param>
    /// <param name="maxBytes">The JSON size limit and the longest stream line read.</param>
    /// <param name="onUsage">Called once with the usage when any token count or model was found.</param>
    /// <param name="onFirstByte">Called once, when the caller reads the first byte of the body.</param>
    public ResponseBodyObserver(ApiFormat format, ObservedBodyKind kind, int maxBytes, Action<TokenUsage>? onUsage, Action? onFirstByte = null)
    {
        _format = format;
        _kind = kind;
        _maxBytes = maxBytes;
        _json = new PooledByteBuffer(16 * 1024, maxBytes);
        _onUsage = onUsage;
        _onFirstByte = onFirstByte;
    }

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

        if (_onFirstByte is not null && Interlocked.Exchange(ref _onFirstByte, null) is { } onFirstByte)
        {
            try
            {
                onFirstByte();
            }
#pragma warning disable CA1031 // Monitoring must never break the caller's request.
            catch (Exception)
#pragma warning restore CA1031
            {
                // The time to first byte is lost; the body goes on.
            }
        }

        lock (_gate)
        {
            if (_closed)
            {
                return;
            }

            try
            {
                if (_kind == ObservedBodyKind.Json)
                {
                    Collect(data);
                }
                else
                {
                    (_parser ??= new EventStreamUsageParser(_format, _kind == ObservedBodyKind.NewlineDelimitedJson, _maxBytes)).Feed(data);
                }
            }
#pragma warning disable CA1031 // Monitoring must never break the caller's request.
            catch (Exception)
#pragma warning restore CA1031
            {
                CloseLocked();
            }
        }
    }

    /// <summary>The body ended (a read returned 0, or a copy completed): reports the usage.</summary>
    public void OnEndOfBody() => Finish(report: true);

    /// <summary>The caller disposed the body: reports what was found, when the end was not seen.</summary>
    public void OnDisposed() => Finish(report: true);

    /// <summary>The caller moved the stream position: the bytes no longer come in order, so nothing is reported.</summary>
    public void Abandon() => Finish(report: false);

    private void Finish(bool report)
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
                if (report)
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

        if (found && _onUsage is not null && Interlocked.Increment(ref _reportCount) == 1)
        {
            try
            {
                _onUsage(usage);
            }
#pragma warning disable CA1031 // A faulty callback must not surface in the caller's read.
            catch (Exception)
#pragma warning restore CA1031
            {
            }
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
