namespace Resilience.Metrics;

/// <summary>
/// The response stream the caller reads when a body is observed: every call goes to the inner stream unchanged (same
/// bytes, same chunking, same blocking, same exceptions), and the bytes each read returned are shown to a
/// <see cref="ResponseBodyObserver"/> afterwards. An exception a read throws is shown to the observer (the request failed
/// in the middle of its body) and then rethrown as it was.
/// </summary>
internal sealed class UsageObservingStream : Stream
{
    private readonly Stream _inner;
    private readonly ResponseBodyObserver _observer;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public UsageObservingStream(Stream inner, ResponseBodyObserver observer)
    {
        _inner = inner;
        _observer = observer;
    }

    /// <inheritdoc/>
    public override bool CanRead => _inner.CanRead;

    /// <inheritdoc/>
    public override bool CanSeek => _inner.CanSeek;

    /// <inheritdoc/>
    public override bool CanWrite => _inner.CanWrite;

    /// <inheritdoc/>
    public override bool CanTimeout => _inner.CanTimeout;

    /// <inheritdoc/>
    public override long Length => _inner.Length;

    /// <inheritdoc/>
    public override long Position
    {
        get => _inner.Position;
        set
        {
            _observer.Abandon();
            _inner.Position = value;
        }
    }

    /// <inheritdoc/>
    public override int ReadTimeout
    {
        get => _inner.ReadTimeout;
        set => _inner.ReadTimeout = value;
    }

    /// <inheritdoc/>
    public override int WriteTimeout
    {
        get => _inner.WriteTimeout;
        set => _inner.WriteTimeout = value;
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count)
    {
        int read;
        try
        {
            read = _inner.Read(buffer, offset, count);
        }
        catch (Exception exception)
        {
            _observer.OnFailed(exception);
            throw;
        }

        Observed(new ReadOnlySpan<byte>(buffer, offset, read), count);
        return read;
    }

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        int read;
        try
        {
            read = _inner.Read(buffer);
        }
        catch (Exception exception)
        {
            _observer.OnFailed(exception);
            throw;
        }

        Observed(buffer[..read], buffer.Length);
        return read;
    }

    /// <inheritdoc/>
    public override int ReadByte()
    {
        int value;
        try
        {
            value = _inner.ReadByte();
        }
        catch (Exception exception)
        {
            _observer.OnFailed(exception);
            throw;
        }

        if (value < 0)
        {
            _observer.OnEndOfBody();
        }
        else
        {
            byte single = (byte)value;
            _observer.Observe(new ReadOnlySpan<byte>(in single));
        }

        return value;
    }

    /// <inheritdoc/>
    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        int read;
        try
        {
#pragma warning disable CA1835 // Pass the caller's call through as made: the inner stream may treat the overloads differently.
            read = await _inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false);
#pragma warning restore CA1835
        }
        catch (Exception exception)
        {
            _observer.OnFailed(exception);
            throw;
        }

        Observed(new ReadOnlySpan<byte>(buffer, offset, read), count);
        return read;
    }

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ValueTask<int> pending;
        try
        {
            pending = _inner.ReadAsync(buffer, cancellationToken);
        }
        catch (Exception exception)
        {
            _observer.OnFailed(exception);
            throw;
        }

        if (pending.IsCompletedSuccessfully)
        {
            int read = pending.Result;
            Observed(buffer.Span[..read], buffer.Length);
            return new ValueTask<int>(read);
        }

        return Awaited(pending, buffer);
    }

    /// <inheritdoc/>
    public override void CopyTo(Stream destination, int bufferSize)
    {
        ValidateCopyToArguments(destination, bufferSize);
        try
        {
            _inner.CopyTo(new TeeWriteStream(destination, _observer), bufferSize);
        }
        catch (Exception exception)
        {
            _observer.OnFailed(exception);
            throw;
        }

        _observer.OnEndOfBody();
    }

    /// <inheritdoc/>
    public override async Task CopyToAsync(Stream destination, int bufferSize, CancellationToken cancellationToken)
    {
        ValidateCopyToArguments(destination, bufferSize);
        try
        {
            await _inner.CopyToAsync(new TeeWriteStream(destination, _observer), bufferSize, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            _observer.OnFailed(exception);
            throw;
        }

        _observer.OnEndOfBody();
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin)
    {
        _observer.Abandon();
        return _inner.Seek(offset, origin);
    }

    /// <inheritdoc/>
    public override void SetLength(long value) => _inner.SetLength(value);

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => _inner.Write(buffer, offset, count);

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer) => _inner.Write(buffer);

    /// <inheritdoc/>
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        _inner.WriteAsync(buffer, offset, count, cancellationToken);

    /// <inheritdoc/>
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.WriteAsync(buffer, cancellationToken);

    /// <inheritdoc/>
    public override void Flush() => _inner.Flush();

    /// <inheritdoc/>
    public override Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    /// <inheritdoc/>
    public override async ValueTask DisposeAsync()
    {
        try
        {
            await _inner.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            _observer.OnDisposed();
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        try
        {
            if (disposing)
            {
                _inner.Dispose();
            }
        }
        finally
        {
            if (disposing)
            {
                _observer.OnDisposed();
            }

            base.Dispose(disposing);
        }
    }

    private async ValueTask<int> Awaited(ValueTask<int> pending, Memory<byte> buffer)
    {
        int read;
        try
        {
            read = await pending.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            _observer.OnFailed(exception);
            throw;
        }

        Observed(buffer.Span[..read], buffer.Length);
        return read;
    }

    private void Observed(ReadOnlySpan<byte> data, int requested)
    {
        if (!data.IsEmpty)
        {
            _observer.Observe(data);
        }
        else if (requested > 0)
        {
            _observer.OnEndOfBody();
        }
    }
}
