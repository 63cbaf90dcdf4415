namespace Resilience.Metrics;

/// <summary>
/// Reads an in-memory <see cref="HttpContent"/> (a <see cref="ByteArrayContent"/>, <see cref="StringContent"/>,
/// <see cref="ReadOnlyMemoryContent"/>, or content already loaded into its buffer) without consuming or changing it:
/// <see cref="HttpContent.CopyTo"/> hands such content's bytes to this sink in a single write, which is parsed in
/// place, with no copy. (<see cref="HttpContent.ReadAsStream()"/> is not used: it caches its stream in the content,
/// and the caller would later get that stream back at its end.)
/// </summary>
/// <remarks>
/// Content that writes itself in several pieces is not read (no result): only single-write content is in memory.
/// One instance per thread is reused, so the request path allocates nothing here.
/// </remarks>
internal sealed class BufferedBodyReader : WriteOnlyStream
{
    [ThreadStatic]
    private static BufferedBodyReader? t_cached;

    private Reading _reading;
    private ApiFormat _format;
    private int _maxBytes;
    private int _writes;
    private string? _model;
    private string? _modelHint;
    private bool _found;
    private TokenUsage _usage;

    private BufferedBodyReader()
    {
    }

    /// <summary>Reads the top-level <c>"model"</c> of an in-memory JSON request body of at most <paramref name="maxBytes"/> bytes.</summary>
    public static string? ReadModel(HttpContent content, int maxBytes, string? modelHint = null)
    {
        BufferedBodyReader sink = Rent(Reading.RequestModel, ApiFormat.Generic, maxBytes);
        sink._modelHint = modelHint;
        try
        {
            content.CopyTo(sink, null, CancellationToken.None);
            return sink._writes == 1 ? sink._model : null;
        }
        finally
        {
            Return(sink);
        }
    }

    /// <summary>
    /// Reads the usage of an in-memory (buffered) JSON response body of at most <paramref name="maxBytes"/> bytes; its
    /// model only when <paramref name="readModel"/>.
    /// </summary>
    public static bool TryReadUsage(HttpContent content, ApiFormat format, int maxBytes, out TokenUsage usage, bool readModel = true, string? modelHint = null)
    {
        BufferedBodyReader sink = Rent(readModel ? Reading.Usage : Reading.UsageWithoutModel, format, maxBytes);
        sink._modelHint = modelHint;
        try
        {
            content.CopyTo(sink, null, CancellationToken.None);
            bool found = sink._writes == 1 && sink._found;
            usage = found ? sink._usage : default;
            return found;
        }
        finally
        {
            Return(sink);
        }
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(new ReadOnlySpan<byte>(buffer, offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (++_writes != 1 || buffer.Length > _maxBytes)
        {
            _model = null;
            _found = false;
            return;
        }

        if (_reading == Reading.RequestModel)
        {
            _model = ModelExtractor.FromJsonBody(buffer, _modelHint);
        }
        else
        {
            _found = ResponseUsageReader.TryReadComplete(_format, buffer, out _usage, readModel: _reading == Reading.Usage, _modelHint);
        }
    }

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    private static BufferedBodyReader Rent(Reading reading, ApiFormat format, int maxBytes)
    {
        BufferedBodyReader sink = t_cached ?? new BufferedBodyReader();
        t_cached = null;
        sink._reading = reading;
        sink._format = format;
        sink._maxBytes = maxBytes;
        sink._writes = 0;
        sink._model = null;
        sink._found = false;
        sink._usage = default;
        return sink;
    }

    private static void Return(BufferedBodyReader sink)
    {
        sink._model = null;
        sink._modelHint = null;
        sink._usage = default;
        t_cached = sink;
    }

    private enum Reading
    {
        RequestModel,
        Usage,
        UsageWithoutModel,
    }
}
