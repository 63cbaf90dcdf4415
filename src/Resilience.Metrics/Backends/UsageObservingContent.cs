using System.Net;
using System.Net.Http.Headers;

namespace Resilience.Metrics;

/// <summary>
/// Replaces a response's content so its body can be observed while the caller reads it. It carries a copy of all the
/// inner content's headers; reading it in any way (<c>ReadAsStreamAsync</c>, <c>ReadAsStringAsync</c>,
/// <c>CopyToAsync</c>, <c>LoadIntoBufferAsync</c>, sync or async) goes to the inner content and passes every byte
/// through unchanged; disposing it disposes the inner content.
/// </summary>
internal sealed class UsageObservingContent : HttpContent
{
    private readonly HttpContent _inner;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    public UsageObservingContent(HttpContent inner, ResponseBodyObserver observer)
    {
        _inner = inner;
        Observer = observer;
        foreach (KeyValuePair<string, HeaderStringValues> header in inner.Headers.NonValidated)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    /// <summary>Gets the observer of the body.</summary>
    public ResponseBodyObserver Observer { get; }

    /// <summary>Gets the wrapped content.</summary>
    public HttpContent Inner => _inner;

    /// <inheritdoc/>
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    /// <inheritdoc/>
    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        try
        {
            await _inner.CopyToAsync(new TeeWriteStream(stream, Observer), context, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Observer.OnFailed(exception);
            throw;
        }

        Observer.OnEndOfBody();
    }

    /// <inheritdoc/>
    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        try
        {
            _inner.CopyTo(new TeeWriteStream(stream, Observer), context, cancellationToken);
        }
        catch (Exception exception)
        {
            Observer.OnFailed(exception);
            throw;
        }

        Observer.OnEndOfBody();
    }

    /// <inheritdoc/>
    protected override Task<Stream> CreateContentReadStreamAsync() => CreateContentReadStreamAsync(CancellationToken.None);

    /// <inheritdoc/>
    protected override async Task<Stream> CreateContentReadStreamAsync(CancellationToken cancellationToken)
    {
        Stream inner;
        try
        {
            inner = await _inner.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Observer.OnFailed(exception);
            throw;
        }

        return new UsageObservingStream(inner, Observer);
    }

    /// <inheritdoc/>
    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) =>
        new UsageObservingStream(_inner.ReadAsStream(cancellationToken), Observer);

    /// <inheritdoc/>
    protected override bool TryComputeLength(out long length)
    {
        long? innerLength = _inner.Headers.ContentLength;
        length = innerLength.GetValueOrDefault();
        return innerLength.HasValue;
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        try
        {
            base.Dispose(disposing);
        }
        finally
        {
            if (disposing)
            {
                try
                {
                    _inner.Dispose();
                }
                finally
                {
                    Observer.OnDisposed();
                }
            }
        }
    }
}
