namespace Resilience.Metrics;

/// <summary>
/// A write-only stream that writes through to a destination and then shows the written bytes to a
/// <see cref="ResponseBodyObserver"/>: how a body that is copied rather than read (<c>CopyToAsync</c>,
/// <c>ReadAsStringAsync</c>, <c>LoadIntoBufferAsync</c>) is observed. Exceptions of the destination pass through.
/// </summary>
internal sealed class TeeWriteStream : WriteOnlyStream
{
    private readonly Stream _destination;
    private readonly ResponseBodyObserver _observer;

    /// <summary>Writes to <paramref name="destination"/>, observed by <paramref name="observer"/>.</summary>
    public TeeWriteStream(Stream destination, ResponseBodyObserver observer)
    {
        _destination = destination;
        _observer = observer;
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count)
    {
        _destination.Write(buffer, offset, count);
        _observer.Observe(new ReadOnlySpan<byte>(buffer, offset, count));
    }

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _destination.Write(buffer);
        _observer.Observe(buffer);
    }

    /// <inheritdoc/>
    public override void WriteByte(byte value)
    {
        _destination.WriteByte(value);
        _observer.Observe(new ReadOnlySpan<byte>(in value));
    }

    /// <inheritdoc/>
    public override async Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
#pragma warning disable CA1835 // Pass the call through as made: the destination may treat the overloads differently.
        await _destination.WriteAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
#pragma warning restore CA1835
        _observer.Observe(new ReadOnlySpan<byte>(buffer, offset, count));
    }

    /// <inheritdoc/>
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await _destination.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        _observer.Observe(buffer.Span);
    }

    /// <inheritdoc/>
    public override void Flush() => _destination.Flush();

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => _destination.FlushAsync(cancellationToken);
}
